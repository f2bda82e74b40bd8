//! The readable bytecode listing (`aio --dis`): one line per instruction with its source
//! line, index, opcode and operand resolved against the code's tables, then the nested
//! code objects, in the spirit of CPython's `dis`.

use crate::code::{flags, Code, Instr};
use crate::object::Payload;
use crate::value::Value;
use std::fmt::Write;

/// Lists `code` and every code object nested in its constants.
pub fn disassemble(code: &Code) -> String {
    let mut out = String::new();
    list(code, &mut out);
    out
}

fn list(code: &Code, out: &mut String) {
    let _ = writeln!(
        out,
        "Disassembly of <code {}> (line {}):",
        code.qualname.as_str(),
        code.firstlineno
    );
    let mut fl = Vec::new();
    for (bit, name) in [
        (flags::OPTIMIZED, "OPTIMIZED"),
        (flags::NEWLOCALS, "NEWLOCALS"),
        (flags::NESTED, "NESTED"),
        (flags::VARARGS, "VARARGS"),
        (flags::VARKEYWORDS, "VARKEYWORDS"),
        (flags::GENERATOR, "GENERATOR"),
        (flags::COROUTINE, "COROUTINE"),
        (flags::ASYNC_GENERATOR, "ASYNC_GENERATOR"),
    ] {
        if code.flags & bit != 0 {
            fl.push(name);
        }
    }
    let names = |v: &[std::rc::Rc<crate::str::Str>]| {
        v.iter()
            .map(|s| s.as_str().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "  args={} posonly={} kwonly={} flags=[{}] locals=[{}] cells=[{}] free=[{}]",
        code.argcount,
        code.posonlyargcount,
        code.kwonlyargcount,
        fl.join(" "),
        names(&code.varnames),
        names(&code.cellvars),
        names(&code.freevars)
    );
    let targets: std::collections::HashSet<u32> =
        code.instrs.iter().filter_map(jump_target).collect();
    let mut last_line = 0;
    for (ip, instr) in code.instrs.iter().enumerate() {
        let instr = &instr.unfused();
        let line = code.line(ip);
        let line_col = if line != last_line {
            last_line = line;
            format!("{line:>4}")
        } else {
            "    ".to_string()
        };
        let mark = if targets.contains(&(ip as u32)) {
            ">>"
        } else {
            "  "
        };
        let (name, arg) = describe(code, instr);
        let text = format!("{line_col} {mark} {ip:>4} {name:<22}{arg}");
        out.push_str(text.trim_end());
        out.push('\n');
    }
    for c in code.consts.iter() {
        if let Value::Obj(o) = c {
            if let Payload::Code(inner) = &o.payload {
                out.push('\n');
                list(inner, out);
            }
        }
    }
}

/// The target of a jump or block-setup instruction.
pub(crate) fn jump_target(i: &Instr) -> Option<u32> {
    use Instr::*;
    match i.unfused() {
        Jump(t) | PopJumpIfFalse(t) | PopJumpIfTrue(t) | JumpIfFalseOrPop(t)
        | JumpIfTrueOrPop(t) | ForIter(t) | SetupFinally(t) | SetupWith(t)
        | JumpIfNotExcMatch(t) => Some(t),
        _ => None,
    }
}

/// The opcode name in CPython's spelling and the operand with its meaning.
fn describe(code: &Code, i: &Instr) -> (String, String) {
    let dbg = format!("{i:?}");
    let name = dbg.split('(').next().unwrap_or("").to_string();
    let op = snake_upper(&name);
    let name_of = |v: &[std::rc::Rc<crate::str::Str>], n: u32| {
        v.get(n as usize)
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    };
    let deref = |n: u32| {
        let n = n as usize;
        if n < code.cellvars.len() {
            code.cellvars[n].as_str().to_string()
        } else {
            code.freevars
                .get(n - code.cellvars.len())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
        }
    };
    use Instr::*;
    let arg = match *i {
        LoadConst(n) => format!("{n} ({})", const_repr(code.consts.get(n as usize))),
        LoadFast(n) | StoreFast(n) | DeleteFast(n) => {
            format!("{n} ({})", name_of(&code.varnames, n))
        }
        LoadDeref(n) | StoreDeref(n) | DeleteDeref(n) | LoadClosure(n) | LoadClassDeref(n) => {
            format!("{n} ({})", deref(n))
        }
        LoadGlobal(n) | StoreGlobal(n) | DeleteGlobal(n) | LoadName(n) | StoreName(n)
        | DeleteName(n) | LoadAttr(n) | StoreAttr(n) | DeleteAttr(n) | LoadMethod(n)
        | ImportName(n) | ImportFrom(n) => {
            format!("{n} ({})", name_of(&code.names, n))
        }
        Binary(op) | Inplace(op) => op.symbol().to_string(),
        Compare(op) => op.symbol().to_string(),
        Unary(op) => format!("{op:?}").to_lowercase(),
        IsOp(b) | ContainsOp(b) => (b as u8).to_string(),
        CallEx(b) => (b as u8).to_string(),
        Jump(t) | PopJumpIfFalse(t) | PopJumpIfTrue(t) | JumpIfFalseOrPop(t)
        | JumpIfTrueOrPop(t) | ForIter(t) | SetupFinally(t) | SetupWith(t)
        | JumpIfNotExcMatch(t) => format!("to {t}"),
        _ => match dbg.split_once('(') {
            Some((_, rest)) => rest.trim_end_matches(')').to_string(),
            None => String::new(),
        },
    };
    (op, arg)
}

fn snake_upper(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

fn const_repr(v: Option<&Value>) -> String {
    match v {
        None => "?".into(),
        Some(Value::None) => "None".into(),
        Some(Value::Bool(b)) => if b.get() { "True" } else { "False" }.into(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Float(f)) => crate::builtins::float_repr(f.get()),
        Some(Value::Str(s)) => crate::builtins::str_repr(s.as_str()),
        Some(Value::Obj(o)) => match &o.payload {
            Payload::Code(c) => format!("<code {}>", c.qualname.as_str()),
            Payload::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(|x| const_repr(Some(x))).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Payload::Int(b) => b.to_string(),
            Payload::Bytes(b) => crate::builtins::bytes_repr(b),
            Payload::Complex(re, im) => crate::format::complex_repr(*re, *im),
            _ => "...".into(),
        },
    }
}
