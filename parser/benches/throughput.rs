//! Front-end throughput: lexes and parses a generated 8 MiB program and reports MB/s
//! (10^6 bytes per second) for lexing alone and for lexing + parsing, tree construction and
//! dropping included (target: at least 10 MB/s for lexing + parsing). Each figure is the best
//! of nine runs: this machine's timings vary by ±15% from run to run.
//! Run with `cargo bench -p aio-parser`.

use std::time::Instant;

/// The allocator of the `aio` binary, so the figures are what the command gets.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A chunk of everyday code (functions, classes, comprehensions, strings, f-strings,
/// comments, async code); `{n}` makes each copy's names distinct.
const CHUNK: &str = r#"
# A comment line describing the next function {n}.
def process_{n}(items, *, limit=10, key=None) -> list:
    """Docstring for process_{n}."""
    result = []
    for index, item in enumerate(items):
        if index >= limit and key is not None:
            break
        elif item % 2 == 0 or item in (1, 3, 5):
            result.append(item ** 2 + index * 3 - 1)
        else:
            result.extend([x for x in range(item) if x % 3 == 0])
    return sorted(result, key=key, reverse=True)


class Shape_{n}(Base, metaclass=Meta):
    sides: int = 4

    def __init__(self, width: float, height: float = 1.5e3) -> None:
        self.width, self.height = width, height
        self.label = f"shape {n}: {width:>10.2f} x {height!r}"

    @property
    def area(self):
        return self.width * self.height if self.width > 0 else 0.0

    async def fetch(self, session, url='http://example.invalid/{n}'):
        async with session.get(url) as response:
            data = await response.json()
        return {k: v for k, v in data.items() if not k.startswith('_')}


try:
    value = process_{n}([1, 2, 3, 0x1f, 0b1010, 1_000_000], limit=3)
except (ValueError, TypeError) as error:
    print("failed:", error, sep=' ', end='\n')
finally:
    total = sum(v for v in value) // 7 % 3 << 2 | 1 & ~0
"#;

fn main() {
    let mut source = String::new();
    let mut n = 0;
    while source.len() < 8 * 1024 * 1024 {
        source.push_str(&CHUNK.replace("{n}", &n.to_string()));
        n += 1;
    }
    let mb = source.len() as f64 / 1e6;
    println!("input: {mb:.1} MB, {} lines", source.lines().count());

    let best = |f: &dyn Fn()| -> f64 {
        (0..9)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let lex = best(&|| {
        let (tokens, err) = aio_lexer::tokenize(&source);
        assert!(err.is_none());
        std::hint::black_box(tokens);
    });
    let parse = best(&|| {
        let module = aio_parser::parse_module(&source).expect("the benchmark program parses");
        std::hint::black_box(module);
    });
    println!("lex:         {:7.1} MB/s ({:.3} s)", mb / lex, lex);
    println!("lex + parse: {:7.1} MB/s ({:.3} s)", mb / parse, parse);
}
