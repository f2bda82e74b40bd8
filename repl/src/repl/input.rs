//! Input on its own thread, as `python -m asyncio` reads it, so that the interpreter's thread
//! runs the REPL's event loop while the user types: tasks created at the prompt keep
//! running between inputs.
//!
//! The interpreter asks for each line ([`Input::request`], so prompts never run ahead of
//! the output of the statement before), then waits for [`Event`]s: the line, or completion
//! requests from the line editor, which it answers from the VM it owns. The input thread
//! wakes the event loop's poll after sending each event.

use super::complete;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;

/// What the input thread sends to the interpreter.
pub enum Event {
    /// A line was read (or reading ended).
    Line(Line),
    /// The line editor wants the completions of the text before the cursor.
    Complete(String, mpsc::Sender<(usize, Vec<String>)>),
}

/// One read of the prompt.
pub enum Line {
    /// The text typed, without its newline.
    Text(String),
    /// Ctrl-C while typing.
    Interrupted,
    /// Ctrl-D, or the end of the input.
    Eof,
}

enum Command {
    /// Read a line after showing the prompt; the input's earlier lines (the highlighting's
    /// context).
    Read(String, String),
    AddHistory(String),
    Finish,
}

type LineEditor = rustyline::Editor<complete::ReplHelper, rustyline::history::FileHistory>;

/// Where input lines come from: a line editor on a terminal, plain lines otherwise (a pipe
/// under `aio -i`), with the prompts on stderr as CPython prints them.
enum Reader {
    Editor(Box<LineEditor>),
    Plain,
}

impl Reader {
    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Reader::Editor(ed) => match ed.readline(prompt) {
                Ok(s) => Line::Text(s),
                Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::Eof,
            },
            Reader::Plain => {
                eprint!("{prompt}");
                let _ = std::io::stderr().flush();
                let mut s = String::new();
                match std::io::stdin().lock().read_line(&mut s) {
                    Ok(0) | Err(_) => Line::Eof,
                    Ok(_) => {
                        if s.ends_with('\n') {
                            s.pop();
                            if s.ends_with('\r') {
                                s.pop();
                            }
                        }
                        Line::Text(s)
                    }
                }
            }
        }
    }
}

/// The input thread and the channels to it.
pub struct Input {
    commands: mpsc::Sender<Command>,
    /// Lines and completion requests, in order.
    pub events: mpsc::Receiver<Event>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Input {
    /// Starts the input thread: a line editor (with `history` loaded) when `terminal`,
    /// plain reads from stdin otherwise. The editor highlights the input when given the
    /// names of the built-ins (`builtins`).
    pub fn start(
        terminal: bool,
        history: Option<PathBuf>,
        builtins: Option<HashSet<String>>,
    ) -> Input {
        let (commands, command_rx) = mpsc::channel::<Command>();
        let (event_tx, events) = mpsc::channel::<Event>();
        let thread = std::thread::Builder::new()
            .name("aio-input".into())
            .spawn(move || {
                let mut reader = if terminal {
                    editor(event_tx.clone(), history.as_deref(), builtins)
                        .map_or(Reader::Plain, |ed| Reader::Editor(Box::new(ed)))
                } else {
                    Reader::Plain
                };
                for command in command_rx {
                    match command {
                        Command::Read(prompt, context) => {
                            if let Reader::Editor(ed) = &reader {
                                if let Some(h) = ed.helper() {
                                    *h.context.borrow_mut() = context;
                                }
                            }
                            let line = reader.read(&prompt);
                            if event_tx.send(Event::Line(line)).is_err() {
                                break;
                            }
                            aio_stdlib::asyncio::wake_from_signal();
                        }
                        Command::AddHistory(entry) => {
                            if let Reader::Editor(ed) = &mut reader {
                                let _ = ed.add_history_entry(entry.as_str());
                            }
                        }
                        Command::Finish => break,
                    }
                }
                if let (Reader::Editor(ed), Some(path)) = (&mut reader, &history) {
                    super::history::prepare(path);
                    let _ = ed.save_history(path);
                }
            })
            .expect("the OS starts the input thread");
        Input {
            commands,
            events,
            thread: Some(thread),
        }
    }

    /// Asks for the next line, shown with `prompt`; `before` are the input's earlier lines.
    pub fn request(&self, prompt: &str, before: &[String]) {
        let context: String = before.iter().map(|l| format!("{l}\n")).collect();
        let _ = self
            .commands
            .send(Command::Read(prompt.to_string(), context));
    }

    /// Adds a complete input to the history.
    pub fn add_history(&self, entry: &str) {
        let _ = self.commands.send(Command::AddHistory(entry.to_string()));
    }

    /// Saves the history and ends the input thread.
    pub fn finish(mut self) {
        let _ = self.commands.send(Command::Finish);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn editor(
    requests: mpsc::Sender<Event>,
    history: Option<&std::path::Path>,
    builtins: Option<HashSet<String>>,
) -> Option<LineEditor> {
    let colours = if builtins.is_some() {
        rustyline::ColorMode::Enabled
    } else {
        rustyline::ColorMode::Disabled
    };
    let config = rustyline::Config::builder()
        .color_mode(colours)
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .max_history_size(10_000)
        .ok()?
        .build();
    let mut ed = rustyline::Editor::with_config(config).ok()?;
    ed.set_helper(Some(complete::ReplHelper {
        requests,
        builtins,
        context: Default::default(),
    }));
    if let Some(path) = history {
        let _ = ed.load_history(path);
    }
    Some(ed)
}
