//! The server examples (`examples/http_service.aio`, `examples/chat_server.aio` with
//! `examples/chat_bots.aio`) run under `aio` and are driven by scripted clients, each bounded
//! in time. The transcripts are compared with CPython's, recorded in `fixtures/examples/`
//! (re-record with `AIO_RECORD_PYTHON=1 cargo test -p aio --test example_servers`: the
//! same scripts then run under `python3`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn recording() -> bool {
    std::env::var_os("AIO_RECORD_PYTHON").is_some()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `aio` (or `python3` when recording) on the example `script` with `args`.
fn interpreter(script: &str, args: &[&str]) -> Command {
    let mut cmd = if recording() {
        Command::new("python3")
    } else {
        Command::new(env!("CARGO_BIN_EXE_aio"))
    };
    cmd.arg(repo().join("examples").join(script)).args(args);
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/examples")
        .join(name)
}

/// Compares `got` with the recorded CPython transcript (or records it).
fn check_against_cpython(name: &str, got: &str) {
    let path = fixture(name);
    if recording() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).expect("the recorded CPython transcript");
    assert_eq!(got, want, "transcript differs from CPython's ({name})");
}

/// A server process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `script` on a free port; its first stdout line ends with the port.
    fn start(script: &str) -> Server {
        let mut child = interpreter(script, &["0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the interpreter starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server announces its port within 20 s");
        let port = line
            .trim_end()
            .rsplit([':', ' '])
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the server's first line: {line:?}"));
        Server { child, port }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("the server accepts");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one raw request and reads the whole response (the server closes the connection).
fn exchange(server: &Server, request: &str) -> String {
    let mut s = server.connect();
    s.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response)
        .expect("a complete response within 10 s");
    response
}

#[test]
fn http_service_answers_like_under_cpython() {
    let server = Server::start("http_service.aio");
    let requests = [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /add?a=2&b=40 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /add?a=2 HTTP/1.1\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 9\r\n\r\nsome text",
        "GET /echo HTTP/1.1\r\n\r\n",
        "GET /nope HTTP/1.1\r\n\r\n",
        "nonsense\r\n\r\n",
    ];
    let mut transcript = String::new();
    for r in requests {
        transcript += &format!(">>> {:?}\n{}\n", r, exchange(&server, r));
    }
    // Concurrency: a request sent while /slow sleeps is answered first.
    let mut slow = server.connect();
    slow.write_all(b"GET /slow HTTP/1.1\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let fast = exchange(&server, "GET / HTTP/1.1\r\n\r\n");
    let mut slow_response = String::new();
    slow.read_to_string(&mut slow_response).unwrap();
    transcript += &format!(">>> while /slow sleeps\n{fast}\n>>> /slow\n{slow_response}\n");
    transcript += &format!(
        ">>> stats\n{}\n",
        exchange(&server, "GET /stats HTTP/1.1\r\n\r\n")
    );
    check_against_cpython("http_service.txt", &transcript);
}

#[test]
fn chat_server_relays_between_three_clients_like_under_cpython() {
    let server = Server::start("chat_server.aio");
    let port = server.port.to_string();
    let mut bots = interpreter("chat_bots.aio", &[&port])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the bots start");
    let started = Instant::now();
    while bots.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = bots.kill();
            panic!("chat_bots.aio did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = bots.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chat_bots.aio failed:\n{stderr}");
    check_against_cpython("chat_bots.txt", &String::from_utf8_lossy(&out.stdout));
}
