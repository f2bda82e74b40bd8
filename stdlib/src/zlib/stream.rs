//! A zlib stream owned by Rust, and the output buffer CPython's `zlibmodule.c` grows under
//! it (`pycore_blocks_output_buffer.h`). Deflate's output depends on how much room each
//! call has (stored blocks end where the buffer does), so the buffer grows by CPython's
//! block sizes, call by call, and the bytes come out as CPython's.

use libz_sys as z;
use std::ffi::CStr;
use std::os::raw::{c_int, c_uint, c_void};

/// zlib's `Z_NEED_DICT`.
pub(super) const Z_NEED_DICT: c_int = 2;

/// The sizes of the output buffer's blocks, in order (the last one repeats).
const BLOCK_SIZES: [usize; 17] = [
    32 << 10,
    64 << 10,
    256 << 10,
    1 << 20,
    4 << 20,
    8 << 20,
    16 << 20,
    16 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    32 << 20,
    64 << 20,
    64 << 20,
    128 << 20,
    128 << 20,
    256 << 20,
];

/// The largest first block a caller-given size (`bufsize`, `length`) allocates at once;
/// beyond it the buffer grows as needed (the output is the same, inflate's never depends
/// on the room it has).
const MAX_FIRST_BLOCK: usize = 256 << 20;

unsafe extern "C" fn zalloc(_opaque: *mut c_void, items: c_uint, size: c_uint) -> *mut c_void {
    // SAFETY: plain C allocation, as CPython's `PyZlib_Malloc` (`PyMem_RawMalloc`).
    unsafe { libc::malloc(items as usize * size as usize) }
}

unsafe extern "C" fn zfree(_opaque: *mut c_void, ptr: *mut c_void) {
    // SAFETY: `ptr` came from `zalloc`.
    unsafe { libc::free(ptr) }
}

/// Which half of zlib a stream runs (what `end` and `copy` call).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Deflate,
    Inflate,
}

/// A `z_stream` at a fixed address (zlib's state points back at it), ended on drop.
pub(super) struct Stream {
    z: Box<z::z_stream>,
    kind: Kind,
    /// Initialised and not yet ended.
    live: bool,
}

/// A `z_stream` with no state yet, allocating through the C library.
fn blank() -> Box<z::z_stream> {
    Box::new(z::z_stream {
        next_in: std::ptr::null_mut(),
        avail_in: 0,
        total_in: 0,
        next_out: std::ptr::null_mut(),
        avail_out: 0,
        total_out: 0,
        msg: std::ptr::null_mut(),
        state: std::ptr::null_mut(),
        zalloc,
        zfree,
        opaque: std::ptr::null_mut(),
        data_type: 0,
        adler: 0,
        reserved: 0,
    })
}

const STREAM_SIZE: c_int = std::mem::size_of::<z::z_stream>() as c_int;

impl Stream {
    /// `deflateInit2`: the stream, or zlib's code and message.
    pub(super) fn deflate(
        level: c_int,
        method: c_int,
        wbits: c_int,
        mem_level: c_int,
        strategy: c_int,
    ) -> Result<Stream, (c_int, Option<String>)> {
        let mut s = Stream {
            z: blank(),
            kind: Kind::Deflate,
            live: false,
        };
        // SAFETY: a blank stream with valid allocators; the version is the library's own.
        let err = unsafe {
            z::deflateInit2_(
                &mut *s.z,
                level,
                method,
                wbits,
                mem_level,
                strategy,
                z::zlibVersion(),
                STREAM_SIZE,
            )
        };
        s.started(err)
    }

    /// `inflateInit2`: the stream, or zlib's code and message.
    pub(super) fn inflate(wbits: c_int) -> Result<Stream, (c_int, Option<String>)> {
        let mut s = Stream {
            z: blank(),
            kind: Kind::Inflate,
            live: false,
        };
        // SAFETY: as in `deflate`.
        let err = unsafe { z::inflateInit2_(&mut *s.z, wbits, z::zlibVersion(), STREAM_SIZE) };
        s.started(err)
    }

    fn started(mut self, err: c_int) -> Result<Stream, (c_int, Option<String>)> {
        if err == z::Z_OK {
            self.live = true;
            Ok(self)
        } else {
            Err((err, self.message()))
        }
    }

    /// zlib's message for the last error (`zst.msg`), if it set one.
    pub(super) fn message(&self) -> Option<String> {
        if self.z.msg.is_null() {
            return None;
        }
        // SAFETY: zlib's messages are static NUL-terminated strings.
        let m = unsafe { CStr::from_ptr(self.z.msg) };
        Some(m.to_string_lossy().into_owned())
    }

    /// `deflateCopy`/`inflateCopy` into a new stream, or zlib's code.
    pub(super) fn copy(&mut self) -> Result<Stream, c_int> {
        let mut dest = Stream {
            z: blank(),
            kind: self.kind,
            live: false,
        };
        // SAFETY: both streams are at fixed addresses; zlib refuses an ended source.
        let err = unsafe {
            match self.kind {
                Kind::Deflate => z::deflateCopy(&mut *dest.z, &mut *self.z),
                Kind::Inflate => z::inflateCopy(&mut *dest.z, &mut *self.z),
            }
        };
        if err == z::Z_OK {
            dest.live = true;
            Ok(dest)
        } else {
            Err(err)
        }
    }

    /// `deflateEnd`/`inflateEnd` (once): zlib's code.
    pub(super) fn end(&mut self) -> c_int {
        if !self.live {
            return z::Z_OK;
        }
        self.live = false;
        // SAFETY: a live stream.
        unsafe {
            match self.kind {
                Kind::Deflate => z::deflateEnd(&mut *self.z),
                Kind::Inflate => z::inflateEnd(&mut *self.z),
            }
        }
    }

    /// `deflateSetDictionary`/`inflateSetDictionary`: zlib's code.
    pub(super) fn set_dictionary(&mut self, dict: &[u8]) -> c_int {
        let Ok(len) = c_uint::try_from(dict.len()) else {
            return z::Z_STREAM_ERROR;
        };
        // SAFETY: zlib reads `len` bytes of `dict` during the call only.
        unsafe {
            match self.kind {
                Kind::Deflate => z::deflateSetDictionary(&mut *self.z, dict.as_ptr(), len),
                Kind::Inflate => z::inflateSetDictionary(&mut *self.z, dict.as_ptr(), len),
            }
        }
    }

    /// Runs `deflate` (or `inflate`) with `flush` over the current input and output.
    /// zlib answers an ended stream with `Z_STREAM_ERROR`.
    pub(super) fn step(&mut self, flush: c_int) -> c_int {
        // SAFETY: `next_in`/`avail_in` and `next_out`/`avail_out` were set by `Input` and
        // `OutBuf` to live memory; an ended stream has a null state, which zlib checks.
        unsafe {
            match self.kind {
                Kind::Deflate => z::deflate(&mut *self.z, flush),
                Kind::Inflate => z::inflate(&mut *self.z, flush),
            }
        }
    }

    /// Bytes of output room left in the current block.
    pub(super) fn avail_out(&self) -> usize {
        self.z.avail_out as usize
    }

    /// Bytes of the current input chunk not consumed yet.
    pub(super) fn avail_in(&self) -> usize {
        self.z.avail_in as usize
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.end();
    }
}

/// The input of one call, handed to zlib in chunks of at most `u32::MAX` bytes (CPython's
/// `arrange_input_buffer`).
pub(super) struct Input<'a> {
    data: &'a [u8],
    /// Start and length of the chunk last handed to zlib.
    start: usize,
    chunk: usize,
}

impl<'a> Input<'a> {
    /// Nothing handed yet; call [`Input::next_chunk`] before the first step.
    pub(super) fn new(data: &'a [u8]) -> Input<'a> {
        Input {
            data,
            start: 0,
            chunk: 0,
        }
    }

    /// Hands `s` the next chunk; true if input remains beyond it.
    pub(super) fn next_chunk(&mut self, s: &mut Stream) -> bool {
        self.start += self.chunk;
        self.chunk = (self.data.len() - self.start).min(u32::MAX as usize);
        s.z.next_in = self.data[self.start..].as_ptr() as *mut u8;
        s.z.avail_in = self.chunk as c_uint;
        self.start + self.chunk < self.data.len()
    }

    /// The input zlib has not consumed.
    pub(super) fn rest(&self, s: &Stream) -> &'a [u8] {
        let consumed = self.start + self.chunk - s.avail_in().min(self.chunk);
        &self.data[consumed..]
    }
}

/// The output of one call: blocks of CPython's sizes, at most `max` bytes in all.
pub(super) struct OutBuf {
    out: Vec<u8>,
    /// Bytes of the blocks handed out so far.
    allocated: usize,
    blocks: usize,
    max: Option<usize>,
}

/// The output buffer could not be allocated (`MemoryError`).
pub(super) struct NoMemory;

impl OutBuf {
    /// `OutputBuffer_InitAndGrow`: the first block (32 KiB, or `max` if smaller), given
    /// to `s`.
    pub(super) fn new(s: &mut Stream, max: Option<usize>) -> Result<OutBuf, NoMemory> {
        let first = max.map_or(BLOCK_SIZES[0], |m| m.min(BLOCK_SIZES[0]));
        let mut b = OutBuf {
            out: Vec::new(),
            allocated: 0,
            blocks: 0,
            max,
        };
        b.add_block(s, first)?;
        Ok(b)
    }

    /// `OutputBuffer_WindowInitWithSize`: a first block of `size` bytes, given to `s`.
    pub(super) fn with_size(s: &mut Stream, size: usize) -> Result<OutBuf, NoMemory> {
        let mut b = OutBuf {
            out: Vec::new(),
            allocated: 0,
            blocks: 0,
            max: None,
        };
        b.add_block(s, size.min(MAX_FIRST_BLOCK))?;
        Ok(b)
    }

    fn add_block(&mut self, s: &mut Stream, size: usize) -> Result<(), NoMemory> {
        self.out.try_reserve_exact(size).map_err(|_| NoMemory)?;
        self.blocks += 1;
        self.allocated += size;
        // SAFETY: the reserved capacity holds `size` bytes past the length; `commit`
        // extends the length over what zlib wrote there, never further.
        s.z.next_out = unsafe { self.out.as_mut_ptr().add(self.out.len()) };
        s.z.avail_out = size.min(u32::MAX as usize) as c_uint;
        Ok(())
    }

    /// `OutputBuffer_Grow`, when `s` has filled its block: the next block, given to `s`.
    pub(super) fn grow(&mut self, s: &mut Stream) -> Result<(), NoMemory> {
        let mut size = BLOCK_SIZES[self.blocks.min(BLOCK_SIZES.len() - 1)];
        if let Some(m) = self.max {
            size = size.min(m - self.allocated);
        }
        self.add_block(s, size)
    }

    /// Takes in what the last step wrote (call after every step).
    pub(super) fn commit(&mut self, s: &Stream) {
        let written = self.allocated - s.avail_out() - self.out.len();
        // SAFETY: zlib wrote `written` bytes after the length, inside the reserved block.
        unsafe { self.out.set_len(self.out.len() + written) };
    }

    /// Whether the output has reached `max`.
    pub(super) fn full(&self) -> bool {
        self.max == Some(self.out.len())
    }

    /// The output.
    pub(super) fn finish(self) -> Vec<u8> {
        self.out
    }
}
