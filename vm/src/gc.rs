//! The cycle collector. Objects are reference counted (`Rc`), so most garbage is freed the
//! moment it becomes unreachable, as in CPython. Containers are also registered here (by
//! address, in an intrusive registry: see `REGISTRIES`); when enough have been allocated, a
//! collection runs CPython's algorithm (`Modules/gcmodule.c`): for every registered object,
//! subtract the references that come from other registered objects from its strong count;
//! what still has a positive count is referenced from outside (Rust locals, frames, the VM)
//! and is a root; everything reachable from a root survives, and the rest — garbage
//! cycles — is cleared, which breaks the cycles so reference counting frees them.
//!
//! This is safe at any moment: an object a Rust caller holds has an extra strong count, so
//! it and everything it reaches count as reachable.

use crate::frame::{Block, Frame};
use crate::iter::IterState;
use crate::object::{Object, Payload};
use crate::value::{Obj, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The smallest number of new containers between two automatic collections, unless the
/// script sets another (`gc.set_threshold`).
pub const DEFAULT_FLOOR: usize = 20_000;

thread_local! {
    /// The registries of the VMs on this thread, by owner number (`Object::gc_owner`): the
    /// addresses of their tracked objects in the order they were tracked, with null where
    /// an object died since the last collection. An object's `gc` field holds its index
    /// plus one (0: untracked), so it leaves its registry in O(1) as it dies (`forget`),
    /// and its memory goes back to the allocator at once (CPython's `gc` list is intrusive
    /// for the same reason). A `Drop` cannot reach its VM, hence a table per thread; objects
    /// are `Rc`s and never leave their thread.
    static REGISTRIES: RefCell<Vec<Vec<*const Object>>> = const { RefCell::new(Vec::new()) };
    /// Owner numbers of dropped VMs, for reuse.
    static FREE_OWNERS: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the registry entry of tracked object `o` (index `idx`, 1-based, and its
/// owner's registry).
fn with_entry(o: &Object, idx: usize, f: impl FnOnce(&mut *const Object)) {
    let owner = o.gc_owner.get() as usize;
    let _ = REGISTRIES.try_with(|r| {
        // No object dies while a registry is borrowed (the borrows in this file only read
        // and write addresses); a failure here would leave a dangling entry.
        let borrowed = r.try_borrow_mut();
        debug_assert!(
            borrowed.is_ok(),
            "an object died while its registry was borrowed"
        );
        if let Some(entry) = borrowed
            .ok()
            .as_mut()
            .and_then(|r| r.get_mut(owner))
            .and_then(|reg| reg.get_mut(idx - 1))
        {
            f(entry);
        }
    });
}

/// Called from `Object`'s `Drop`: the dying object leaves its registry.
#[inline]
pub(crate) fn forget(o: &Object) {
    let idx = o.gc.replace(0) as usize;
    if idx != 0 {
        with_entry(o, idx, |entry| *entry = std::ptr::null());
    }
}

/// Called as `dying` is resurrected into `twin` for its finalizer: the twin takes the
/// registry entry, so it stays tracked where the original was.
pub(crate) fn transfer(dying: &Object, twin: &Obj) {
    let idx = dying.gc.replace(0) as usize;
    if idx != 0 {
        with_entry(dying, idx, |entry| {
            *entry = Rc::as_ptr(twin);
            twin.gc.set(idx as u32);
            twin.gc_owner.set(dying.gc_owner.get());
        });
    }
}

/// Drops the entries of freed objects from `reg` and renumbers the others (their `gc`
/// fields); returns how many are left.
fn drop_freed(reg: &mut Vec<*const Object>) -> usize {
    reg.retain(|p| !p.is_null());
    for (i, &p) in reg.iter().enumerate() {
        // SAFETY: a registered address is a live object: objects leave the registry as
        // they die (`forget`).
        unsafe { (*p).gc.set(i as u32 + 1) };
    }
    reg.len()
}

/// Called as the full registry `reg` is about to grow: when a quarter or more of its entries are
/// places of freed objects, drops those instead, so that a program that keeps many
/// objects alive between collections does not hold the places of the many more it made and
/// freed meanwhile (a doubled registry). Each call is paid for by the entries pushed since
/// the last one (the registry was at most three quarters full after it).
#[cold]
#[inline(never)]
fn make_room(reg: &mut Vec<*const Object>) {
    let freed = reg.iter().filter(|p| p.is_null()).count();
    if freed >= reg.len() / 4 {
        drop_freed(reg);
    }
}

/// The registry of container objects and the collection schedule.
pub struct GcState {
    /// This VM's number in the thread's registry table.
    owner: u16,
    allocated: Cell<usize>,
    threshold: Cell<usize>,
    /// The least `threshold` can be (`gc.set_threshold`'s first value); 0 turns automatic
    /// collection off.
    floor: Cell<usize>,
    /// Containers that survived the last collection.
    survivors: Cell<usize>,
    /// The items (list, tuple, set and dict entries) the last collection walked: its work
    /// beyond the containers themselves.
    traced_items: Cell<usize>,
    /// `gc.set_threshold`'s second and third values, reported back but unused: aio's
    /// collector has a single generation.
    older_thresholds: Cell<(i64, i64)>,
    enabled: Cell<bool>,
    collecting: Cell<bool>,
    /// `gc.callbacks` are running (`gc_inspect.rs`): a collection they ask for does nothing.
    pub(crate) in_callbacks: Cell<bool>,
    /// The `gc` module's `callbacks` list, once the module is imported.
    callbacks: RefCell<Option<Value>>,
    /// An automatic collection is due and waits for the next finalization point, where
    /// `gc.callbacks` can run around it ([`Vm::run_finalizers`](crate::Vm::run_finalizers)).
    collection_due: Cell<bool>,
    /// Objects freed by collections so far.
    pub collected: Cell<usize>,
    /// The class lookup cache; emptied before each collection so that the values it holds
    /// never keep garbage alive.
    pub(crate) lookup_cache: crate::types::LookupCache,
}

impl Default for GcState {
    fn default() -> GcState {
        let owner = FREE_OWNERS
            .with(|f| f.borrow_mut().pop())
            .unwrap_or_else(|| {
                REGISTRIES.with(|r| {
                    let mut r = r.borrow_mut();
                    r.push(Vec::new());
                    u16::try_from(r.len() - 1).expect("at most 65,536 VMs per thread")
                })
            });
        GcState {
            owner,
            allocated: Cell::new(0),
            threshold: Cell::new(DEFAULT_FLOOR),
            floor: Cell::new(DEFAULT_FLOOR),
            survivors: Cell::new(0),
            traced_items: Cell::new(0),
            older_thresholds: Cell::new((10, 10)),
            enabled: Cell::new(true),
            collecting: Cell::new(false),
            in_callbacks: Cell::new(false),
            callbacks: RefCell::new(None),
            collection_due: Cell::new(false),
            collected: Cell::new(0),
            lookup_cache: crate::types::LookupCache::default(),
        }
    }
}

/// A dropped VM's objects that live on (held by the host, or in cycles) become untracked,
/// and its owner number is free for the next VM.
impl Drop for GcState {
    fn drop(&mut self) {
        let _ = REGISTRIES.try_with(|r| {
            let reg = std::mem::take(&mut r.borrow_mut()[self.owner as usize]);
            for p in reg.into_iter().filter(|p| !p.is_null()) {
                // SAFETY: a registered address is a live object: objects leave the
                // registry as they die (`forget`).
                unsafe { (*p).gc.set(0) };
            }
        });
        let _ = FREE_OWNERS.try_with(|f| f.borrow_mut().push(self.owner));
    }
}

impl GcState {
    /// Registers a new container; may run a collection first.
    pub fn track(&self, o: &Obj) {
        if o.gc.get() != 0 {
            return;
        }
        let n = self.allocated.get() + 1;
        self.allocated.set(n);
        if n >= self.threshold.get() && !self.collecting.get() {
            self.threshold_reached(n);
        }
        let p = Rc::as_ptr(o);
        let idx = self.with_registry(|reg| {
            if reg.len() == reg.capacity() {
                return 0;
            }
            reg.push(p);
            reg.len()
        });
        let idx = if idx != 0 { idx } else { self.push_full(p) };
        o.gc.set(idx as u32);
        o.gc_owner.set(self.owner);
    }

    /// `track`'s path for a full registry: makes room (see [`make_room`]) and pushes `p`;
    /// returns its place plus one.
    #[cold]
    #[inline(never)]
    fn push_full(&self, p: *const Object) -> usize {
        self.with_registry(|reg| {
            // A collection's tables are indexed by the places it numbered: no renumbering
            // while one runs.
            if !self.collecting.get() {
                make_room(reg);
            }
            reg.push(p);
            reg.len()
        })
    }

    /// `track`'s rare path, out of line so that the common one saves no registers: `n`
    /// containers were allocated since the last collection, as many as the schedule waits
    /// for. Collects (or asks the next finalization point to, around `gc.callbacks`), or
    /// with automatic collection off, prunes the registry.
    #[cold]
    #[inline(never)]
    fn threshold_reached(&self, n: usize) {
        if self.enabled.get() && self.floor.get() != 0 {
            if !self.has_callbacks() {
                self.collect();
            } else if !self.collection_due.replace(true) {
                crate::finalize::wake();
            }
        } else {
            self.prune(n);
        }
    }

    /// Makes `list` the `gc.callbacks` list automatic collections call (the `gc` module's,
    /// which CPython keeps even when the script rebinds or deletes `gc.callbacks`).
    pub fn set_callbacks(&self, list: Value) {
        *self.callbacks.borrow_mut() = Some(list);
    }

    /// The `gc.callbacks` list (`None` before the `gc` module is imported).
    pub fn callbacks(&self) -> Value {
        self.callbacks.borrow().clone().unwrap_or(Value::None)
    }

    /// Whether `gc.callbacks` holds a callback (a list being changed counts as empty).
    fn has_callbacks(&self) -> bool {
        let cbs = self.callbacks.borrow();
        match cbs.as_ref().and_then(|v| v.payload()) {
            Some(Payload::List(l)) => l.try_borrow().is_ok_and(|l| !l.is_empty()),
            _ => false,
        }
    }

    /// Whether an automatic collection deferred for `gc.callbacks` can run: one is due
    /// (until a collection runs, so the objects the callbacks make do not ask again) and
    /// no callback is running (it waits for them to end).
    pub(crate) fn automatic_due(&self) -> bool {
        self.collection_due.get() && !self.in_callbacks.get()
    }

    /// Runs `f` on this VM's registry (which `f` must not use to drop or track objects).
    #[inline]
    fn with_registry<R>(&self, f: impl FnOnce(&mut Vec<*const Object>) -> R) -> R {
        REGISTRIES.with(|r| f(&mut r.borrow_mut()[self.owner as usize]))
    }

    /// The live registered objects, in the order they were registered (the registry is
    /// compacted to them, so their `gc` fields are their indices plus one).
    fn compact(&self) -> Vec<Obj> {
        self.with_registry(|reg| {
            reg.retain(|p| !p.is_null());
            reg.iter()
                .enumerate()
                .map(|(i, &p)| {
                    if let Some(&ahead) = reg.get(i + PREFETCH_DISTANCE) {
                        prefetch(ahead);
                    }
                    // SAFETY: a registered address is a live object (see `Drop`); the
                    // strong count taken here is owned by the returned `Rc`.
                    unsafe {
                        (*p).gc.set(i as u32 + 1);
                        Rc::increment_strong_count(p);
                        Rc::from_raw(p)
                    }
                })
                .collect()
        })
    }

    /// The number of tracked objects, and of the registry's entries (live ones plus the
    /// places of objects freed since the last collection or pruning).
    pub fn registry_len(&self) -> (usize, usize) {
        self.with_registry(|reg| (reg.iter().filter(|p| !p.is_null()).count(), reg.len()))
    }

    /// Visits every live registered container (for the host's memory accounting,
    /// `embed/limits.rs`); returns how many there were.
    pub(crate) fn for_each_live(&self, f: &mut dyn FnMut(&Object)) -> usize {
        let live = self.live_objects();
        for o in &live {
            f(o);
        }
        live.len()
    }

    /// The live registered containers, in the order they were registered
    /// (`gc.get_objects()`).
    pub fn live_objects(&self) -> Vec<Obj> {
        self.with_registry(|reg| {
            reg.iter()
                .filter(|p| !p.is_null())
                .map(|&p| {
                    // SAFETY: as in `compact`.
                    unsafe {
                        Rc::increment_strong_count(p);
                        Rc::from_raw(p)
                    }
                })
                .collect()
        })
    }

    /// Turns automatic collection on or off (`gc.enable()` / `gc.disable()`).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.set(on);
        if on {
            self.reschedule();
        }
    }

    /// With automatic collection off, drops the registry's places of freed objects, and
    /// waits as long again as a collection would before the next pruning.
    fn prune(&self, allocated: usize) {
        let live = self.with_registry(drop_freed);
        self.threshold
            .set(allocated + (2 * live).max(self.floor.get()).max(DEFAULT_FLOOR));
    }

    /// Whether automatic collection is on (`gc.isenabled()`).
    pub fn is_enabled(&self) -> bool {
        self.enabled.get()
    }

    /// `gc.get_threshold()`: the floor of the schedule and the two values kept for
    /// CPython's older generations.
    pub fn thresholds(&self) -> (i64, i64, i64) {
        let (t1, t2) = self.older_thresholds.get();
        (self.floor.get() as i64, t1, t2)
    }

    /// `gc.set_threshold(t0, t1, t2)`: `t0` becomes the least number of new containers
    /// between automatic collections (0 or less turns them off, as 0 does in CPython); the
    /// others are only reported back.
    pub fn set_thresholds(&self, t0: i64, t1: i64, t2: i64) {
        self.floor.set(t0.max(0) as usize);
        self.older_thresholds.set((t1, t2));
        self.reschedule();
    }

    /// `gc.get_count()`: containers allocated since the last collection.
    pub fn allocated(&self) -> usize {
        self.allocated.get()
    }

    /// Whether `o` is registered with this collector (`gc.is_tracked`).
    pub fn is_tracked(&self, o: &Obj) -> bool {
        o.gc.get() != 0 && o.gc_owner.get() == self.owner
    }

    /// The next collection waits for twice as many new containers as survived the last one,
    /// and at least the floor: a full trace then costs at most half a visit per allocation,
    /// where CPython's young generations make the same bound with generations (its full
    /// collections also wait for the long-lived set to grow by a quarter).
    fn reschedule(&self) {
        // Paced by the work of a collection: a few large containers (a list of a million
        // strings) cost as much to walk as many small ones, so they put the next collection
        // off as far; each new container then pays for at most a few items walked.
        let work = 2 * self.survivors.get() + self.traced_items.get() / ITEMS_PER_CONTAINER;
        self.threshold.set(work.max(self.floor.get()));
    }

    /// Runs a full collection; returns the number of unreachable objects found. Those that
    /// need finalizing are queued (run by [`Vm::collect_garbage`](crate::Vm::collect_garbage)
    /// or the next finalization point) and freed by a later collection.
    pub fn collect(&self) -> usize {
        // Cached class lookups hold values; they must not keep garbage alive.
        self.lookup_cache.clear();
        self.collecting.set(true);
        // `live[i]`'s `gc` field is now `i + 1`. Objects tracked during the collection come
        // after `live.len()`; none of `live` can die before the end (`live` holds them).
        // gc_refs: strong count minus our own clone, minus references from tracked objects.
        let live = self.compact();
        let n = live.len();
        let owner = self.owner;
        let mut refs = vec![0; n];
        let mut subtract = Subtract {
            owner,
            refs: &mut refs,
        };
        for (i, o) in live.iter().enumerate() {
            prefetch_ahead(&live, i);
            // Read as the header is first touched.
            subtract.refs[i] += Rc::strong_count(o) as i64 - 1;
            trace_with(o, &mut subtract);
        }
        // Everything reachable from an externally referenced object survives; `items`
        // counts what the survivors hold, what the next collection walks again.
        let (mut state, mut items) = mark_from_roots(&live, &refs, owner);
        drop(refs);
        // The rest is garbage (usually little or none: the passes below go over it alone).
        let unreached: Vec<usize> = (state.iter().enumerate())
            .filter(|&(_, &s)| s == UNREACHED)
            .map(|(i, _)| i)
            .collect();
        // Weak references to the garbage die first; their callbacks are queued before any
        // `__del__` of the garbage (CPython's `handle_weakrefs`).
        let callbacks = crate::weakref::clear_for_collection(
            unreached.iter().map(|&i| &live[i]),
            &|wr: &Obj| place(wr, n, owner).is_some_and(|i| state[i] == UNREACHED),
        );
        crate::weakref::queue_callbacks(callbacks);
        // PEP 442: garbage that runs code as it dies (`__del__`, a suspended generator's
        // close) is finalized on intact objects, in the order the objects were made (as
        // CPython's collector walks its list). Those objects are queued for the next
        // finalization point and, with everything they reach, kept until a later collection
        // finds them unreachable again (the queue's references make them roots meanwhile).
        let (kept, kept_items) = keep_for_finalizers(&live, &unreached, &mut state, owner);
        items += kept_items;
        let mut garbage: Vec<Value> = Vec::new();
        let mut cleared = 0;
        for &i in &unreached {
            if state[i] == UNREACHED {
                cleared += 1;
                clear(&live[i], &mut garbage);
            }
        }
        // The survivors: what was reachable. What was kept for its finalizers is garbage
        // too: counted as surviving, it would double the threshold at every collection of
        // a program that drops cycles with `__del__` in a loop.
        let survivors = n - cleared - kept;
        drop(live);
        drop(garbage);
        self.allocated.set(0);
        self.collection_due.set(false);
        self.survivors.set(survivors);
        self.traced_items.set(items);
        self.reschedule();
        self.collected.set(self.collected.get() + cleared);
        self.collecting.set(false);
        cleared + kept
    }
}

/// How many items a collection walks (see [`GcState::reschedule`]) count as much as one
/// container that survives it.
const ITEMS_PER_CONTAINER: usize = 4;

/// The number of items of a list, tuple, set or dict (0 for other objects, and for one
/// borrowed for writing right now).
fn container_len(o: &Object) -> usize {
    match &o.payload {
        Payload::Tuple(items) => items.len(),
        Payload::List(l) => l.try_borrow().map_or(0, |l| l.len()),
        Payload::Dict(d) => d.try_borrow().map_or(0, |d| d.len()),
        Payload::Set(s) => s.try_borrow().map_or(0, |s| s.len()),
        _ => 0,
    }
}

/// How far ahead of the object being traced the collector's passes prefetch (in registry
/// entries): the header at twice this distance, the storage it points to at this one.
const PREFETCH_DISTANCE: usize = 8;

/// Asks the CPU to bring the cache line at `p` in (a hint: a no-op where unsupported).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// During a pass over `live` in order, prefetches what tracing will touch a little later:
/// the header of the object `2 * PREFETCH_DISTANCE` ahead, and the out-of-line storage
/// (slots, frame, items) of the one `PREFETCH_DISTANCE` ahead, whose header is in cache by
/// then. Tracing a large heap is bound by cache misses, one or two per object.
#[inline(always)]
fn prefetch_ahead(live: &[Obj], i: usize) {
    if let Some(o) = live.get(i + 2 * PREFETCH_DISTANCE) {
        let p = Rc::as_ptr(o);
        prefetch(p);
        prefetch(
            p.cast::<u8>()
                .wrapping_add(std::mem::size_of::<Object>() - 8),
        );
    }
    if let Some(o) = live.get(i + PREFETCH_DISTANCE) {
        if let Some(p) = storage_of(o) {
            prefetch(p);
        }
    }
}

/// The address of the first out-of-line block tracing `o` reads, if any.
#[inline(always)]
fn storage_of(o: &Object) -> Option<*const u8> {
    match &o.payload {
        Payload::Slots(vals) => {
            // SAFETY: only the buffer's address is read, not through a borrow that could
            // be outstanding; nothing mutates during a collection's passes.
            unsafe { vals.try_borrow_unguarded() }
                .ok()
                .map(|v| v.as_ptr().cast())
        }
        Payload::Generator(g) => g.frame_addr().map(|f| f.cast()),
        Payload::List(l) => unsafe { l.try_borrow_unguarded() }
            .ok()
            .map(|v| v.as_ptr().cast()),
        Payload::Tuple(t) => Some(t.as_ptr().cast()),
        Payload::Dict(d) => Some((&**d as *const RefCell<crate::dict::Dict>).cast()),
        Payload::Iter(st) => Some((&**st as *const RefCell<IterState>).cast()),
        Payload::Exception(e) => Some((&**e as *const RefCell<crate::object::ExcData>).cast()),
        Payload::Method(m) => Some((&**m as *const (Value, Value)).cast()),
        _ => None,
    }
}

/// The place of `o` in a collection's tables (indexed like its `live` objects, `len` of
/// them, of VM `owner`), if it is one of them: objects tracked during the collection and
/// other VMs' objects have none.
#[inline(always)]
fn place(o: &Object, len: usize, owner: u16) -> Option<usize> {
    let i = (o.gc.get() as usize).wrapping_sub(1);
    (i < len && o.gc_owner.get() == owner).then_some(i)
}

/// The first pass's visitor: subtracts each reference between registered objects from the
/// referenced one's count.
struct Subtract<'a> {
    owner: u16,
    refs: &'a mut [i64],
}

impl Visit for Subtract<'_> {
    #[inline(always)]
    fn obj(&mut self, o: &Obj) {
        if let Some(i) = place(o, self.refs.len(), self.owner) {
            self.refs[i] -= 1;
        }
    }
}

/// [`mark_from_roots`]'s states.
const UNREACHED: u8 = 0;
const REACHED: u8 = 1;
const SCANNED: u8 = 2;

/// [`mark_from_roots`]'s visitor: marks the children of the object at `pos` reached,
/// putting those before `pos` (older objects, which the pass has gone by) on `work`.
struct MarkRoots<'a> {
    owner: u16,
    state: &'a mut [u8],
    work: &'a mut Vec<usize>,
    pos: usize,
}

impl Visit for MarkRoots<'_> {
    #[inline(always)]
    fn obj(&mut self, o: &Obj) {
        if let Some(j) = place(o, self.state.len(), self.owner) {
            if self.state[j] == UNREACHED {
                self.state[j] = REACHED;
                // Later objects wait for the pass to reach them.
                if j < self.pos {
                    self.work.push(j);
                }
            }
        }
    }
}

/// Marks what survives the collection: the objects `refs` shows are referenced from outside
/// the registry (roots) and every registered object they reach. One pass over `live` in
/// registry order (with prefetching) traces each reached object once; a child met before
/// its place in the order (an older object) is traced at once from a work list. Returns
/// each object's state (`UNREACHED` for the garbage), and the items the reachable ones
/// hold (see [`container_len`]).
fn mark_from_roots(live: &[Obj], refs: &[i64], owner: u16) -> (Vec<u8>, usize) {
    let mut state: Vec<u8> = refs
        .iter()
        .map(|&r| if r > 0 { REACHED } else { UNREACHED })
        .collect();
    let mut work: Vec<usize> = Vec::new();
    let mut items = 0;
    for i in 0..live.len() {
        prefetch_ahead(live, i);
        if state[i] != REACHED {
            continue;
        }
        work.push(i);
        while let Some(k) = work.pop() {
            state[k] = SCANNED;
            let o = &live[k];
            items += container_len(o);
            trace_with(
                o,
                &mut MarkRoots {
                    owner,
                    state: &mut state,
                    work: &mut work,
                    pos: i,
                },
            );
        }
    }
    (state, items)
}

/// Queues the objects of `live` at `unreached` (in order) that need finalizing (see
/// [`Object::needs_finalizer`]) and marks them, and the garbage they reach, scanned so
/// this collection leaves them intact. Returns how many objects it kept, and the items
/// they hold.
fn keep_for_finalizers(
    live: &[Obj],
    unreached: &[usize],
    state: &mut [u8],
    owner: u16,
) -> (usize, usize) {
    let mut work: Vec<usize> = Vec::new();
    for &i in unreached {
        let o = &live[i];
        if o.needs_finalizer() {
            o.finalized.set(true);
            crate::finalize::queue_collected(o.clone());
            work.push(i);
        }
    }
    mark_reachable(live, state, work, owner)
}

/// [`mark_reachable`]'s visitor: marks the children still unreached scanned and puts them
/// on `work`.
struct MarkAll<'a> {
    owner: u16,
    state: &'a mut [u8],
    work: &'a mut Vec<usize>,
}

impl Visit for MarkAll<'_> {
    #[inline(always)]
    fn obj(&mut self, o: &Obj) {
        if let Some(j) = place(o, self.state.len(), self.owner) {
            if self.state[j] == UNREACHED {
                self.state[j] = SCANNED;
                self.work.push(j);
            }
        }
    }
}

/// Marks `roots` and every registered object they reach (through objects still unreached)
/// scanned; returns how many it newly marked, and the items they hold.
fn mark_reachable(live: &[Obj], state: &mut [u8], roots: Vec<usize>, owner: u16) -> (usize, usize) {
    let mut work = roots;
    for &i in &work {
        state[i] = SCANNED;
    }
    let (mut marked, mut items) = (0, 0);
    while let Some(i) = work.pop() {
        marked += 1;
        items += container_len(&live[i]);
        trace_with(
            &live[i],
            &mut MarkAll {
                owner,
                state,
                work: &mut work,
            },
        );
    }
    (marked, items)
}

/// Native state that holds script values (the `T` of a
/// [`new_native_instance`](crate::module::new_native_instance)): once registered with
/// [`register_host_state`], the cycle collector sees the values through it, so cycles
/// through such objects are reclaimed (a deque that holds itself, a future awaited by the
/// task its callbacks hold).
pub trait HostState: 'static {
    /// Calls `f` on every value it holds.
    fn trace(&self, f: &mut dyn FnMut(&Value));
    /// Moves every value it holds into `out` (the collector breaking a garbage cycle).
    fn clear(&mut self, out: &mut Vec<Value>);
}

/// Calls the function on each value a host state holds.
type TraceHook = fn(&dyn std::any::Any, &mut dyn FnMut(&Value));
/// Moves the values a host state holds out.
type ClearHook = fn(&dyn std::any::Any, &mut Vec<Value>);

/// The collector's view of one registered [`HostState`] type.
#[derive(Clone, Copy)]
struct HostHooks {
    id: std::any::TypeId,
    trace: TraceHook,
    clear: ClearHook,
}

thread_local! {
    /// The registered host state types (few: a linear search).
    static HOST_HOOKS: RefCell<Vec<HostHooks>> = const { RefCell::new(Vec::new()) };
}

/// Lets the cycle collector see the values held by native instances whose state is a `T`
/// (idempotent; call it when defining the class).
pub fn register_host_state<T: HostState>() {
    fn trace<T: HostState>(a: &dyn std::any::Any, f: &mut dyn FnMut(&Value)) {
        if let Some(Ok(s)) = a.downcast_ref::<RefCell<T>>().map(RefCell::try_borrow) {
            s.trace(f);
        }
    }
    fn clear<T: HostState>(a: &dyn std::any::Any, out: &mut Vec<Value>) {
        if let Some(Ok(mut s)) = a.downcast_ref::<RefCell<T>>().map(RefCell::try_borrow_mut) {
            s.clear(out);
        }
    }
    let id = std::any::TypeId::of::<RefCell<T>>();
    HOST_HOOKS.with(|h| {
        let mut h = h.borrow_mut();
        if !h.iter().any(|x| x.id == id) {
            h.push(HostHooks {
                id,
                trace: trace::<T>,
                clear: clear::<T>,
            });
        }
    });
}

/// The hooks registered for the type of `state`.
fn host_hooks(state: &dyn std::any::Any) -> Option<HostHooks> {
    let id = state.type_id();
    HOST_HOOKS
        .try_with(|h| h.borrow().iter().find(|x| x.id == id).copied())
        .ok()
        .flatten()
}

/// What tracing an object visits: each object it references and, for
/// `gc.get_referents`, each value (ints and strs included).
pub(crate) trait Visit {
    /// A referenced object.
    fn obj(&mut self, o: &Obj);
    /// A referenced value.
    #[inline(always)]
    fn value(&mut self, v: &Value) {
        if let Value::Obj(o) = v {
            self.obj(o);
        }
    }
    /// The object's class: visited by the collector, but not listed by `get_referents`
    /// for instances of built-in classes (whose CPython types are static).
    #[inline(always)]
    fn class(&mut self, c: &Obj) {
        self.obj(c);
    }
}

fn visit_value<V: Visit + ?Sized>(v: &Value, f: &mut V) {
    f.value(v);
}

fn trace_frame<V: Visit + ?Sized>(fr: &Frame, f: &mut V) {
    for v in &fr.stack {
        visit_value(v, f);
    }
    for v in fr.locals.iter().flatten() {
        visit_value(v, f);
    }
    for c in fr.cells() {
        f.obj(c);
    }
    f.obj(&fr.globals);
    if let Some(ns) = fr.namespace() {
        f.obj(ns);
    }
    for b in &fr.blocks {
        if let Block::ExceptHandler { exc, .. } = b {
            visit_value(exc, f);
        }
    }
    if let Some(t) = fr.pending_throw() {
        visit_value(t, f);
    }
}

/// Calls `f` on every object `o` references directly (conservatively skipping any part that
/// is borrowed for writing right now).
pub(crate) fn trace_with<V: Visit + ?Sized>(o: &Obj, f: &mut V) {
    if let Some(c) = o.class_raw() {
        f.class(c);
    }
    if let Some(d) = o.dict.get() {
        f.obj(d);
    }
    match &o.payload {
        Payload::Tuple(items) => items.iter().for_each(|v| visit_value(v, f)),
        Payload::List(l) => {
            if let Ok(l) = l.try_borrow() {
                l.iter().for_each(|v| visit_value(v, f));
            }
        }
        Payload::Dict(d) => {
            if let Ok(d) = d.try_borrow() {
                for e in d.iter() {
                    visit_value(&e.key, f);
                    visit_value(&e.value, f);
                }
            }
        }
        Payload::Set(s) => {
            if let Ok(s) = s.try_borrow() {
                s.iter().for_each(|v| visit_value(v, f));
            }
        }
        Payload::Function(func) => {
            f.obj(&func.globals);
            if let Ok(d) = func.defaults.try_borrow() {
                d.iter().for_each(|v| visit_value(v, f));
            }
            if let Ok(k) = func.kwdefaults.try_borrow() {
                visit_value(&k, f);
            }
            func.closure.iter().for_each(|c| f.obj(c));
        }
        Payload::Method(m) => {
            visit_value(&m.0, f);
            visit_value(&m.1, f);
        }
        Payload::Native(n) => {
            if let Some(b) = &n.bound {
                visit_value(b, f);
            }
        }
        Payload::Type(t) => {
            if let Ok(ns) = t.ns.try_borrow() {
                for e in ns.iter() {
                    visit_value(&e.value, f);
                }
            }
            if let Ok(b) = t.bases.try_borrow() {
                b.iter().for_each(|c| f.obj(c));
            }
            if let Ok(m) = t.mro.try_borrow() {
                m.iter().for_each(|c| f.obj(c));
            }
        }
        Payload::Module(m) => f.obj(&m.globals),
        Payload::Cell(c) => {
            if let Ok(c) = c.try_borrow() {
                if let Some(v) = &*c {
                    visit_value(v, f);
                }
            }
        }
        Payload::Exception(e) => {
            if let Ok(e) = e.try_borrow() {
                visit_value(&e.args, f);
                visit_value(&e.cause, f);
                visit_value(&e.context, f);
                visit_value(&e.extra, f);
            }
        }
        Payload::Generator(g) => {
            g.with_frame(|fr| trace_frame(fr, f));
        }
        Payload::Iter(st) => {
            if let Ok(st) = st.try_borrow() {
                match &*st {
                    IterState::Seq { seq, .. } | IterState::Reversed { seq, .. } => {
                        visit_value(seq, f)
                    }
                    IterState::Dict { dict, spare, .. } => {
                        f.obj(dict);
                        if let Some(t) = spare {
                            f.obj(t);
                        }
                    }
                    IterState::DictRev { dict, .. } => f.obj(dict),
                    IterState::Set { set, .. } => f.obj(set),
                    IterState::Bytes { b, .. } => visit_value(b, f),
                    IterState::GetItem { obj, .. } => visit_value(obj, f),
                    IterState::Callable { func, sentinel } => {
                        visit_value(func, f);
                        visit_value(sentinel, f);
                    }
                    IterState::Enumerate { it, count, spare } => {
                        visit_value(it, f);
                        visit_value(count, f);
                        if let Some(t) = spare {
                            f.obj(t);
                        }
                    }
                    IterState::Zip { its, .. } => its.iter().for_each(|v| visit_value(v, f)),
                    IterState::Map { func, its } => {
                        visit_value(func, f);
                        its.iter().for_each(|v| visit_value(v, f));
                    }
                    IterState::Filter { func, it } => {
                        visit_value(func, f);
                        visit_value(it, f);
                    }
                    IterState::Native(n) => n.trace(&mut |v| f.value(v)),
                    IterState::Str { .. } | IterState::Range { .. } | IterState::Done => {}
                }
            }
        }
        Payload::Slice(s) => s.iter().for_each(|v| visit_value(v, f)),
        Payload::Slots(vals) => {
            if let Ok(vals) = vals.try_borrow() {
                vals.iter().flatten().for_each(|v| visit_value(v, f));
            }
        }
        Payload::Property(p) => p.borrow().iter().for_each(|v| visit_value(v, f)),
        Payload::StaticMethod(v) | Payload::ClassMethod(v) => visit_value(v, f),
        Payload::Super(s) => {
            f.obj(&s.0);
            visit_value(&s.1, f);
        }
        Payload::Host(b) => {
            crate::weakref::trace(o, &mut |c: &Obj| f.obj(c));
            if let Some(h) = host_hooks(&**b) {
                (h.trace)(&**b, &mut |v: &Value| f.value(v));
            }
        }
        _ => {}
    }
}

/// Empties the mutable parts of an unreachable object, moving what it referenced into
/// `out` (dropped after the pass, so no destructor runs while the graph is inspected).
fn clear(o: &Obj, out: &mut Vec<Value>) {
    if let Some(d) = o.dict.get() {
        out.push(Value::Obj(d.clone()));
        if let Payload::Dict(t) = &d.payload {
            if let Ok(mut t) = t.try_borrow_mut() {
                for e in t.take_all() {
                    out.push(e.key);
                    out.push(e.value);
                }
            }
        }
    }
    match &o.payload {
        Payload::List(l) => {
            if let Ok(mut l) = l.try_borrow_mut() {
                out.extend(l.drain(..));
            }
        }
        Payload::Dict(d) => {
            if let Ok(mut d) = d.try_borrow_mut() {
                for e in d.take_all() {
                    out.push(e.key);
                    out.push(e.value);
                }
            }
        }
        Payload::Set(s) => {
            if let Ok(mut s) = s.try_borrow_mut() {
                out.extend(s.take_all());
            }
        }
        Payload::Cell(c) => {
            if let Ok(mut c) = c.try_borrow_mut() {
                if let Some(v) = c.take() {
                    out.push(v);
                }
            }
        }
        Payload::Slots(vals) => {
            if let Ok(mut vals) = vals.try_borrow_mut() {
                out.extend(vals.iter_mut().filter_map(|v| v.take()));
            }
        }
        Payload::Function(func) => {
            if let Ok(mut d) = func.defaults.try_borrow_mut() {
                out.extend(d.drain(..));
            }
            if let Ok(mut k) = func.kwdefaults.try_borrow_mut() {
                out.push(std::mem::take(&mut *k));
            }
        }
        Payload::Type(t) => {
            if let Ok(mut ns) = t.ns.try_borrow_mut() {
                crate::types::types_changed();
                for e in ns.take_all() {
                    out.push(e.key);
                    out.push(e.value);
                }
            }
            if let Ok(mut m) = t.mro.try_borrow_mut() {
                out.extend(m.drain(..).map(Value::Obj));
            }
            if let Ok(mut b) = t.bases.try_borrow_mut() {
                out.extend(b.drain(..).map(Value::Obj));
            }
        }
        Payload::Exception(e) => {
            if let Ok(mut e) = e.try_borrow_mut() {
                out.push(std::mem::take(&mut e.cause));
                out.push(std::mem::take(&mut e.context));
                out.push(std::mem::take(&mut e.extra));
                out.push(std::mem::take(&mut e.args));
            }
        }
        Payload::Generator(g) => {
            if let Some(mut fr) = g.take_frame() {
                out.append(&mut fr.stack);
                out.extend(fr.locals.drain(..).flatten());
                out.extend(fr.cells_mut().drain(..).map(Value::Obj));
            }
        }
        Payload::Iter(st) => {
            if let Ok(mut st) = st.try_borrow_mut() {
                let old = std::mem::replace(&mut *st, IterState::Done);
                if let IterState::Native(n) = &old {
                    n.clear(out);
                }
                drop(old);
            }
        }
        Payload::Host(b) => {
            crate::weakref::clear_garbage(o, out);
            if let Some(h) = host_hooks(&**b) {
                (h.clear)(&**b, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::{Value, Vm};

    /// Cycles built and dropped in a loop are all collected, and the schedule stays bounded:
    /// neither the next collection's threshold nor the registry grows with the number of
    /// iterations (a threshold counted from the registry, which still lists the garbage just
    /// cleared, once doubled itself at every collection and the resident size grew without
    /// bound).
    #[test]
    fn cycles_are_collected_and_the_schedule_stays_bounded() {
        let mut vm = Vm::new();
        vm.exec(
            "class Node:\n    pass\n\
             for i in range(200000):\n    a = Node()\n    a.me = a\n    l = [i]\n    l.append(l)\n",
        )
        .expect("runs");
        let gc = &vm.gc;
        assert!(
            gc.collected.get() > 300_000,
            "collected {}",
            gc.collected.get()
        );
        assert!(
            gc.threshold.get() <= 40_000,
            "threshold {}",
            gc.threshold.get()
        );
        assert!(
            gc.registry_len().1 < 60_000,
            "registry {:?}",
            gc.registry_len()
        );
    }

    /// The schedule counts the items a collection walks: a list of 400,000 strings puts
    /// the next collection 100,000 containers off, while the garbage walked (cycles of
    /// dicts) does not count.
    #[test]
    fn large_containers_put_the_next_collection_off() {
        let mut vm = Vm::new();
        vm.exec(
            "big = [str(i) for i in range(400000)]
for i in range(30000):
    d = {}
    d['d'] = d
",
        )
        .expect("runs");
        vm.gc.collect();
        // The list's items, its survivors twice, and the few items of the others.
        let t = vm.gc.threshold.get();
        let base = 100_000 + 2 * vm.gc.survivors.get();
        assert!((base..base + 100).contains(&t), "threshold {t}");
        vm.exec("del big").expect("runs");
        vm.gc.collect();
        assert_eq!(vm.gc.threshold.get(), super::DEFAULT_FLOOR);
    }

    /// PEP 442: a cycle's `__del__` runs on intact objects before the cycle is cleared,
    /// automatic collections included (the finalizer runs at the next finalization
    /// point, and a later collection frees the cycle).
    #[test]
    fn automatic_collections_finalize_cycles_intact() {
        let mut vm = Vm::new();
        vm.exec(
            "seen = []\n\
             class Node:\n    def __del__(self):\n        seen.append(self.me is self)\n\
             for i in range(50000):\n    a = Node()\n    a.me = a\n\
             del a\n",
        )
        .expect("runs");
        vm.collect_garbage();
        let ok = vm.exec("assert len(seen) == 50000 and all(seen), (len(seen), seen.count(False))");
        assert!(ok.is_ok());
        // Everything finalized was freed too: nothing is kept for a finalizer.
        assert!(vm.gc.collect() == 0);
    }

    /// Cycles with a `__del__` dropped in a loop keep the schedule bounded too: what a
    /// collection keeps for its finalizers is garbage, not survivors (counted as
    /// survivors, it doubled the threshold at every collection: 700 MB for a million
    /// such cycles).
    #[test]
    fn finalizable_cycles_keep_the_schedule_bounded() {
        let mut vm = Vm::new();
        vm.exec(
            "count = 0\n\
             class Node:\n    def __del__(self):\n        global count\n        count += 1\n\
             for i in range(200000):\n    a = Node()\n    b = Node()\n    a.p = b\n    b.p = a\n\
             del a, b\n",
        )
        .expect("runs");
        let gc = &vm.gc;
        assert!(
            gc.threshold.get() <= 40_000,
            "threshold {}",
            gc.threshold.get()
        );
        assert!(
            gc.registry_len().1 < 100_000,
            "registry {:?}",
            gc.registry_len()
        );
        vm.collect_garbage();
        assert!(vm.exec("assert count == 400000, count").is_ok());
    }

    /// Objects leave the registry as reference counting frees them, so acyclic garbage
    /// leaves no entry behind once the registry is compacted, and a collection finds only
    /// the cycles.
    #[test]
    fn freed_objects_leave_the_registry() {
        let mut vm = Vm::new();
        vm.exec("keep = [[i] for i in range(1000)]\nfor i in range(5000):\n    d = {'i': [i]}\n")
            .expect("runs");
        let (live, _) = vm.gc.registry_len();
        vm.gc.collect();
        let (live_after, entries) = vm.gc.registry_len();
        assert_eq!(live_after, entries, "compacted");
        assert!(
            live_after <= live && live_after >= 1000,
            "{live_after} of {live}"
        );
        assert!(live_after < 4000, "{live_after}");
    }

    /// VMs on one thread keep separate registries: a collection in one neither sees nor
    /// frees the other's objects, a dropped VM's surviving objects become untracked, and
    /// its registry is reused by the next VM.
    #[test]
    fn vms_on_one_thread_have_their_own_registries() {
        let mut a = Vm::new();
        let mut b = Vm::new();
        a.exec("l = []\nl.append(l)\ndel l\n").expect("runs");
        b.exec("m = []\nm.append(m)\nkept = [1, 2]\n")
            .expect("runs");
        let kept: Value = b.get_global("kept").expect("kept");
        let Value::Obj(kept_obj) = &kept else {
            panic!("a list")
        };
        assert!(b.gc.is_tracked(kept_obj));
        assert!(!a.gc.is_tracked(kept_obj));
        assert!(a.gc.collect() >= 1);
        assert!(b.exec("assert m[0] is m").is_ok());
        drop(b);
        // The list outlives its VM, untracked.
        assert_eq!(kept_obj.gc.get(), 0);
        let mut c = Vm::new();
        c.exec("x = [[1]]\nx.append(x)\ndel x\n").expect("runs");
        assert!(c.gc.collect() >= 1);
        drop(kept);
        assert!(a.gc.collect() == 0);
    }

    /// Whether every entry of `vm`'s registry is null or the object whose `gc` field holds
    /// its place; returns the number of entries.
    fn registry_consistent(vm: &Vm) -> usize {
        vm.gc.with_registry(|reg| {
            for (i, &p) in reg.iter().enumerate() {
                // SAFETY: registered addresses are live objects.
                assert!(p.is_null() || unsafe { (*p).gc.get() } as usize == i + 1);
            }
            reg.len()
        })
    }

    /// A full registry a quarter or more of whose entries are places of freed objects drops
    /// them rather than growing, between collections too: the others are renumbered, leave
    /// it as they die, and a collection finds the cycles among them.
    #[test]
    fn a_full_registry_drops_freed_places_before_growing() {
        let mut vm = Vm::new();
        vm.gc.set_thresholds(1_000_000, 10, 10);
        vm.exec(
            "keep = []\n\
             for i in range(40000):\n    keep.append([i])\n    t = [i]\n\
             c = []\nc.append(c)\ndel c, t\n",
        )
        .expect("runs");
        assert_eq!(vm.gc.collected.get(), 0, "no collection ran");
        let (live, entries) = vm.gc.registry_len();
        // 80,000 lists tracked, half of them freed: dropped as the registry filled up.
        assert!(entries < 65_536, "registry {:?}", (live, entries));
        assert_eq!(registry_consistent(&vm), entries);
        vm.exec("del keep[::2]\nassert [k[0] for k in keep[:3]] == [1, 3, 5]")
            .expect("runs");
        assert!(vm.gc.collect() >= 1);
        // The cycle's place stays until the registry is compacted again.
        let (live, entries) = vm.gc.registry_len();
        assert!(live >= 20_000 && entries - live < 10, "{live} of {entries}");
        assert_eq!(registry_consistent(&vm), entries);
    }

    /// With automatic collection off, cycles survive but the registry still drops the
    /// entries of freed objects, so acyclic garbage does not grow it.
    #[test]
    fn disabled_collection_keeps_cycles_and_prunes_the_registry() {
        let mut vm = Vm::new();
        vm.gc.set_enabled(false);
        vm.exec("for i in range(100000):\n    l = [i]\nc = []\nc.append(c)\ndel c\n")
            .expect("runs");
        assert_eq!(vm.gc.collected.get(), 0);
        assert!(
            vm.gc.registry_len().1 < 60_000,
            "registry {:?}",
            vm.gc.registry_len()
        );
        assert!(vm.gc.collect() >= 1);
    }
}
