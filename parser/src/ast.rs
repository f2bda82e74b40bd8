//! The typed syntax tree. It owns its strings and carries a byte [`Span`] on every node.
//!
//! The shapes follow CPython's `ast` module (`Lib/ast.py`, `Parser/Python.asdl`) so that a
//! reader of either can read the other; load/store/delete context is not stored, because the
//! compiler knows it from where an expression stands.

pub use aio_lexer::{IntValue, Span};

/// A whole module (a file or a REPL input).
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The statements, in order.
    pub body: Vec<Stmt>,
    /// The whole source.
    pub span: Span,
}

/// An identifier with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// From its first to its last token.
    pub span: Span,
}

/// The statement kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `def` or `async def`.
    FunctionDef(Box<FunctionDef>),
    /// `class`.
    ClassDef(Box<ClassDef>),
    /// `return [value]`.
    Return(Option<Expr>),
    /// `del a, b[1]`.
    Delete(Vec<Expr>),
    /// `a = b = value`: `targets` in source order.
    Assign {
        /// The targets, left to right.
        targets: Vec<Expr>,
        /// The assigned value.
        value: Expr,
    },
    /// `target op= value`.
    AugAssign {
        /// A name, attribute or subscript.
        target: Expr,
        /// The operator.
        op: BinOp,
        /// The right operand.
        value: Expr,
    },
    /// `target: annotation [= value]`.
    AnnAssign {
        /// A name, attribute or subscript.
        target: Expr,
        /// The annotation, kept but never evaluated for locals.
        annotation: Expr,
        /// The value, if any.
        value: Option<Expr>,
        /// True for a plain name not in parentheses.
        simple: bool,
    },
    /// `for` / `async for`.
    For {
        /// `async for`.
        is_async: bool,
        /// The loop target.
        target: Expr,
        /// The iterable.
        iter: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// The `else` block.
        orelse: Vec<Stmt>,
    },
    /// `while test: body else: orelse`.
    While {
        /// The condition.
        test: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// The `else` block.
        orelse: Vec<Stmt>,
    },
    /// `if` / `elif` / `else` (an `elif` is an `If` alone in `orelse`).
    If {
        /// The condition.
        test: Expr,
        /// The `if` block.
        body: Vec<Stmt>,
        /// The `elif`/`else` part.
        orelse: Vec<Stmt>,
    },
    /// `with` / `async with`.
    With {
        /// `async with`.
        is_async: bool,
        /// The context managers.
        items: Vec<WithItem>,
        /// The block.
        body: Vec<Stmt>,
    },
    /// `match subject:` with its cases.
    Match {
        /// The matched value.
        subject: Expr,
        /// The `case` blocks.
        cases: Vec<MatchCase>,
    },
    /// `raise [exc [from cause]]`.
    Raise {
        /// The exception.
        exc: Option<Expr>,
        /// The explicit cause.
        cause: Option<Expr>,
    },
    /// `try` with `except` or `except*` handlers.
    Try {
        /// The protected block.
        body: Vec<Stmt>,
        /// The handlers.
        handlers: Vec<ExceptHandler>,
        /// The `else` block.
        orelse: Vec<Stmt>,
        /// The `finally` block.
        finalbody: Vec<Stmt>,
        /// `except*` handlers (exception groups).
        is_star: bool,
    },
    /// `assert test[, msg]`.
    Assert {
        /// The asserted condition.
        test: Expr,
        /// The message.
        msg: Option<Expr>,
    },
    /// `import a.b as c, d`.
    Import(Vec<Alias>),
    /// `from [.]module import names`.
    ImportFrom {
        /// The module path after the dots, if any.
        module: Option<String>,
        /// The imported names (`*` is a single alias named `*`).
        names: Vec<Alias>,
        /// The number of leading dots.
        level: u32,
    },
    /// `global a, b`.
    Global(Vec<Ident>),
    /// `nonlocal a, b`.
    Nonlocal(Vec<Ident>),
    /// An expression used as a statement.
    Expr(Expr),
    /// `pass`.
    Pass,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
}

/// `def name(args) -> returns: body`, with decorators.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    /// `async def`.
    pub is_async: bool,
    /// The function name.
    pub name: Ident,
    /// The parameters.
    pub args: Arguments,
    /// The body.
    pub body: Vec<Stmt>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
    /// The `-> T` annotation.
    pub returns: Option<Expr>,
}

/// `class name(bases, keywords): body`, with decorators.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    /// The class name.
    pub name: Ident,
    /// Positional arguments of the class header (may contain `Starred`).
    pub bases: Vec<Expr>,
    /// Keyword arguments of the class header (`metaclass=...`).
    pub keywords: Vec<Keyword>,
    /// The body.
    pub body: Vec<Stmt>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
}

/// A parameter list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Arguments {
    /// Parameters before `/`.
    pub posonlyargs: Vec<Arg>,
    /// Ordinary positional-or-keyword parameters.
    pub args: Vec<Arg>,
    /// `*args`.
    pub vararg: Option<Arg>,
    /// Parameters after `*` or `*args`.
    pub kwonlyargs: Vec<Arg>,
    /// Defaults of keyword-only parameters (`None` where a parameter has no default).
    pub kw_defaults: Vec<Option<Expr>>,
    /// `**kwargs`.
    pub kwarg: Option<Arg>,
    /// Defaults of the last positional parameters (`posonlyargs` then `args`).
    pub defaults: Vec<Expr>,
}

/// One parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The parameter name.
    pub name: Ident,
    /// Its annotation.
    pub annotation: Option<Expr>,
    /// The name and annotation.
    pub span: Span,
}

/// A keyword argument `name=value`, or `**value` when `arg` is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    /// The keyword, or `None` for `**mapping`.
    pub arg: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole argument.
    pub span: Span,
}

/// `name [as asname]` in an import.
#[derive(Clone, Debug, PartialEq)]
pub struct Alias {
    /// The (dotted) name.
    pub name: String,
    /// The `as` name.
    pub asname: Option<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `context [as vars]` in a `with`.
#[derive(Clone, Debug, PartialEq)]
pub struct WithItem {
    /// The context manager expression.
    pub context_expr: Expr,
    /// The target after `as`.
    pub optional_vars: Option<Expr>,
}

/// `except [type [as name]]: body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptHandler {
    /// The exception type (or tuple of types).
    pub typ: Option<Expr>,
    /// The name bound to the exception.
    pub name: Option<Ident>,
    /// The handler body.
    pub body: Vec<Stmt>,
    /// From `except` to the end of the body.
    pub span: Span,
}

/// `case pattern [if guard]: body`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchCase {
    /// The pattern.
    pub pattern: Pattern,
    /// The guard.
    pub guard: Option<Expr>,
    /// The body.
    pub body: Vec<Stmt>,
}

/// A pattern of a `case`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// What kind of pattern.
    pub kind: PatternKind,
    /// Where it is written.
    pub span: Span,
}

/// The pattern kinds, as CPython's `ast` names them.
#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// A literal or dotted name compared with `==`.
    MatchValue(Expr),
    /// `None`, `True` or `False`, compared with `is`.
    MatchSingleton(Constant),
    /// `[p, *rest]` or `(p, q)`.
    MatchSequence(Vec<Pattern>),
    /// `{key: p, **rest}`.
    MatchMapping {
        /// The keys (literals or dotted names).
        keys: Vec<Expr>,
        /// The value patterns.
        patterns: Vec<Pattern>,
        /// The `**rest` name.
        rest: Option<Ident>,
    },
    /// `Cls(p, attr=q)`.
    MatchClass {
        /// The class (a dotted name).
        cls: Expr,
        /// Positional sub-patterns.
        patterns: Vec<Pattern>,
        /// Keyword attribute names.
        kwd_attrs: Vec<Ident>,
        /// Keyword sub-patterns.
        kwd_patterns: Vec<Pattern>,
    },
    /// `*name` or `*_` inside a sequence pattern.
    MatchStar(Option<Ident>),
    /// `p as name`, a capture `name`, or the wildcard `_` (both `None`).
    MatchAs {
        /// The sub-pattern.
        pattern: Option<Box<Pattern>>,
        /// The bound name.
        name: Option<Ident>,
    },
    /// `p | q`.
    MatchOr(Vec<Pattern>),
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// From its first to its last token (parentheses around it excluded, as in CPython).
    pub span: Span,
}

/// The expression kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `a and b and c` / `a or b`.
    BoolOp {
        /// `and` or `or`.
        op: BoolOp,
        /// Two or more operands.
        values: Vec<Expr>,
    },
    /// `target := value`.
    NamedExpr {
        /// A name.
        target: Box<Expr>,
        /// The value.
        value: Box<Expr>,
    },
    /// `left op right`.
    BinOp {
        /// Left operand.
        left: Box<Expr>,
        /// Operator.
        op: BinOp,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `op operand`.
    UnaryOp {
        /// Operator.
        op: UnaryOp,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `lambda args: body`.
    Lambda {
        /// The parameters.
        args: Box<Arguments>,
        /// The body expression.
        body: Box<Expr>,
    },
    /// `body if test else orelse`.
    IfExp {
        /// Condition.
        test: Box<Expr>,
        /// Value when true.
        body: Box<Expr>,
        /// Value when false.
        orelse: Box<Expr>,
    },
    /// `{k: v, **d}`: a `None` key stands for `**value`.
    Dict {
        /// Keys (`None` for `**` unpacking).
        keys: Vec<Option<Expr>>,
        /// Values.
        values: Vec<Expr>,
    },
    /// `{a, b}`.
    Set(Vec<Expr>),
    /// `[elt for ...]`.
    ListComp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `{elt for ...}`.
    SetComp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `{key: value for ...}`.
    DictComp {
        /// The key.
        key: Box<Expr>,
        /// The value.
        value: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `(elt for ...)`.
    GeneratorExp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `await value`.
    Await(Box<Expr>),
    /// `yield [value]`.
    Yield(Option<Box<Expr>>),
    /// `yield from value`.
    YieldFrom(Box<Expr>),
    /// `left op1 c1 op2 c2 ...`.
    Compare {
        /// The first operand.
        left: Box<Expr>,
        /// The operators.
        ops: Vec<CmpOp>,
        /// The operands after each operator.
        comparators: Vec<Expr>,
    },
    /// `func(args, keywords)`; `*it` arguments are `Starred` in `args`.
    Call {
        /// The callee.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments and `**` unpackings.
        keywords: Vec<Keyword>,
    },
    /// An f-string: literal text and formatted fields.
    JoinedStr(Vec<FStringElement>),
    /// A literal.
    Constant(Constant),
    /// `value.attr`.
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: Ident,
    },
    /// `value[slice]`.
    Subscript {
        /// The object.
        value: Box<Expr>,
        /// The index: an expression, a `Slice`, or a `Tuple` of them.
        slice: Box<Expr>,
    },
    /// `*value`.
    Starred(Box<Expr>),
    /// A name.
    Name(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `(a, b)` or `a, b`.
    Tuple(Vec<Expr>),
    /// `lower:upper:step` inside a subscript.
    Slice {
        /// The start.
        lower: Option<Box<Expr>>,
        /// The stop.
        upper: Option<Box<Expr>>,
        /// The step.
        step: Option<Box<Expr>>,
    },
}

/// A part of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FStringElement {
    /// Literal text (escapes decoded, `{{` as `{`).
    Literal(String),
    /// `{value!conversion:format_spec}`.
    Formatted {
        /// The expression.
        value: Box<Expr>,
        /// `'r'`, `'s'` or `'a'`.
        conversion: Option<char>,
        /// The format spec, which may contain fields itself.
        format_spec: Option<Vec<FStringElement>>,
    },
}

/// A constant value written in the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer.
    Int(IntValue),
    /// A float.
    Float(f64),
    /// An imaginary number `xj` (the imaginary part).
    Complex(f64),
    /// A string (adjacent literals already joined).
    Str(String),
    /// A bytes literal (adjacent literals already joined).
    Bytes(Vec<u8>),
    /// `...`.
    Ellipsis,
}

/// `and` / `or`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// Binary operators (also used by augmented assignment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mult,
    /// `@`
    MatMult,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
    /// `//`
    FloorDiv,
}

impl BinOp {
    /// The operator as written (`+`, `//`).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mult => "*",
            BinOp::MatMult => "@",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
            BinOp::FloorDiv => "//",
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `~`
    Invert,
    /// `not`
    Not,
    /// `+`
    UAdd,
    /// `-`
    USub,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtE,
    /// `>`
    Gt,
    /// `>=`
    GtE,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl CmpOp {
    /// The operator as written (`<=`, `not in`).
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

/// One `[async] for target in iter [if cond]...` clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    /// The loop target.
    pub target: Expr,
    /// The iterable.
    pub iter: Expr,
    /// The `if` conditions.
    pub ifs: Vec<Expr>,
    /// `async for`.
    pub is_async: bool,
}

impl Expr {
    /// Creates an expression node.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

impl Stmt {
    /// Creates a statement node.
    pub fn new(kind: StmtKind, span: Span) -> Stmt {
        Stmt { kind, span }
    }
}
