//! Native task steps: what CPython's `_asyncio` C accelerator does in `task_step` and
//! `task_wakeup`. `Task.__step` and `Task._task_wakeup` (prelude `tasks.aio`) call these;
//! they follow the prelude's former aio code statement by statement (rules T-1 to T-8), so
//! the order of callbacks, messages and exception types are unchanged, but a step no longer
//! runs a script frame of its own, and the common case — the coroutine yielded `None`
//! (`sleep(0)`) — schedules the next step without running `call_soon` and
//! `Handle.__init__` as script code.
//!
//! Like the C task, the step reads and writes the task's private attributes directly in the
//! instance dict (a `__setattr__` override does not see them).

use super::attr::{dict_get_hinted, kept_bits, own_get, slot_get, truthy, Attr, KeptMethods};
pub(super) use super::attr::{iget, iset};
use super::layout::Layout;
use super::natives::{define_group, Op, Shared};
use aio_vm::code::Code;
use aio_vm::containers::simple_key_eq;
use aio_vm::gen::GenResult;
use aio_vm::native::Args;
use aio_vm::object::{GenKind, Object, Payload};
use aio_vm::str::Str;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// What the natives need from the prelude, handed over once by `_c_step_init`.
pub(super) struct StepEnv {
    cancelled_error: Obj,
    invalid_state_error: Obj,
    future_cancel: Value,
    future_set_result: Value,
    future_set_exception: Value,
    /// `BaseEventLoop.call_soon`: the fast path only replaces this one.
    loop_call_soon: Value,
    /// `BaseEventLoop._run_once`: only a loop that keeps it runs bare tasks queued in its
    /// `_ready` (see [`queue_bare`]).
    loop_run_once: Value,
    handle_cls: Obj,
    current_tasks: Obj,
    all_tasks: Value,
    /// `BaseEventLoop.get_debug`: a loop whose class keeps it is read directly.
    loop_get_debug: Value,
    /// `Future.__del__`: instances of classes that keep it start with it disarmed.
    future_del: Value,
    /// `Future` itself.
    future_cls: Obj,
    /// `Task.__del__`: tasks of classes that keep it disarm it once they finish.
    task_del: Value,
    /// `Task`: a bare task in a future's callbacks stands for its wake-up.
    task_cls: Obj,
    /// `Task.__step` and `Task._task_wakeup` (the natives `_c_task_step` and
    /// `_c_task_wakeup`): a task whose class keeps them is queued bare (see [`run_bare`]).
    task_step_fn: Value,
    task_wakeup_fn: Value,
    /// `Task.__init__` (the native `_c_task_init`): a `Task` that keeps it is made by
    /// [`new_task`] without a class call.
    task_init_fn: Value,
    /// The arguments of a handle that steps a bare task: an empty tuple of its own (the
    /// prelude's `_STEP_ARGS`), which no script call makes.
    step_args: Value,
    /// The `asyncio` module globals (`get_event_loop`, `_running_loop`).
    globals: Obj,
    /// The creation site last recorded and the code and line it was made for: tasks
    /// created in a loop share one tuple.
    site: RefCell<Option<(Rc<Code>, u32, Value)>>,
    /// The default contexts of callbacks and tasks.
    contexts: super::context::Contexts,
    /// Handles that ran, emptied, for `call_soon` to fill again (see [`recycle_handle`]).
    handle_pool: RefCell<Vec<Obj>>,
    /// [`loop_natives`]' answer for the last (class, class epoch, instance-dict layout).
    loop_plain: KeptMethods,
    /// [`task_methods`]' answers.
    task_kept: KeptMethods,
    /// [`keeps_own_del`]'s answer for the last (class, class epoch).
    own_del: std::cell::Cell<((usize, u64), bool)>,
    /// Where a `Future`'s [`Names::future_fields`] are.
    future_layout: Layout<FUTURE_FIELDS>,
    /// Where a `Task`'s [`Names::task_fields`] are.
    task_layout: Layout<TASK_FIELDS>,
    n: Names,
}

/// [`loop_natives`] bits: the loop keeps `BaseEventLoop.call_soon`, `_run_once`,
/// `get_debug`.
const KEEPS_CALL_SOON: u8 = 1;
const KEEPS_RUN_ONCE: u8 = 2;
const KEEPS_GET_DEBUG: u8 = 4;

/// Which of `BaseEventLoop`'s methods the natives stand for `event_loop` keeps
/// ([`keeps_method`] for each). The answer depends only on the loop's class, the class
/// epoch and its instance dict's keys (a dict's version names its key layout), so it is
/// remembered for the last such triple: a task switch checks one entry instead of looking
/// each name up in the loop's dict and class.
fn loop_natives(vm: &mut Vm, env: &StepEnv, event_loop: &Value) -> u8 {
    let n = &env.n;
    let kept = env.loop_plain.kept(vm, event_loop, || {
        [
            (&n.call_soon, &env.loop_call_soon),
            (&n.run_once, &env.loop_run_once),
            (&n.get_debug, &env.loop_get_debug),
        ]
    });
    kept as u8
}

/// [`task_methods`] bits: the task keeps `Task.__step`; it keeps `Task._task_wakeup` and
/// its class has no `__call__` (only then does the bare task in a future's callbacks or
/// the ready queue stand for its wake-up).
const STEPS: u32 = 1;
const WAKES: u32 = 2;

/// Which of [`STEPS`] and [`WAKES`] hold for `task`, remembered per class, class epoch
/// and instance-dict layout.
#[inline]
fn task_methods(vm: &mut Vm, env: &StepEnv, task: &Value) -> u32 {
    let n = &env.n;
    let compute = |vm: &mut Vm| {
        let methods = [
            (&n.step, &env.task_step_fn),
            (&n.wakeup, &env.task_wakeup_fn),
        ];
        let bits = kept_bits(vm, task, &methods);
        let callable = vm.lookup(vm.class_of(task), &vm.names.__call__).is_some();
        if callable {
            bits & !WAKES
        } else {
            bits
        }
    };
    env.task_kept.of(vm, task, compute)
}

/// Interned attribute names.
struct Names {
    state: Attr,
    must_cancel: Attr,
    coro: Attr,
    fut_waiter: Attr,
    loop_: Attr,
    context: Attr,
    cancel_message: Attr,
    cancelled_exc: Attr,
    blocking: Attr,
    step: Attr,
    wakeup: Attr,
    call_soon: Attr,
    run_once: Attr,
    closed: Attr,
    ready: Attr,
    callback: Attr,
    args: Attr,
    cancelled: Attr,
    msg: Attr,
    context_kw: Attr,
    result: Attr,
    exception: Attr,
    callbacks: Attr,
    log_traceback: Attr,
    exception_tb: Attr,
    make_cancelled_error: Attr,
    source_traceback: Attr,
    debug: Attr,
    get_debug: Attr,
    del: Attr,
    running_loop: Attr,
    running_thread: Attr,
    pending: Attr,
    finished: Attr,
    get_loop: Attr,
    add_done_callback: Attr,
    result_m: Attr,
    cancelled_m: Attr,
    set_result_m: Attr,
    name: Attr,
    created_at: Attr,
    log_destroy_pending: Attr,
    /// The module global counting unnamed tasks.
    task_name_counter: Attr,
}

/// The number of [`Names::future_fields`] and of [`Names::task_fields`].
const FUTURE_FIELDS: usize = 6;
const TASK_FIELDS: usize = FUTURE_FIELDS + 4;

impl Names {
    /// The fields `Future.__init__` sets, in its order.
    fn future_fields(&self) -> [&Attr; FUTURE_FIELDS] {
        [
            &self.loop_,
            &self.state,
            &self.result,
            &self.exception,
            &self.callbacks,
            &self.blocking,
        ]
    }

    /// The fields `Task.__init__` sets before where and how it runs: its future's, then
    /// its own.
    fn task_fields(&self) -> [&Attr; TASK_FIELDS] {
        let [a, b, c, d, e, f] = self.future_fields();
        [
            a,
            b,
            c,
            d,
            e,
            f,
            &self.name,
            &self.must_cancel,
            &self.fut_waiter,
            &self.coro,
        ]
    }

    fn new(vm: &mut Vm) -> Names {
        Names {
            state: Attr::new(vm, "_state"),
            must_cancel: Attr::new(vm, "_must_cancel"),
            coro: Attr::new(vm, "_coro"),
            fut_waiter: Attr::new(vm, "_fut_waiter"),
            loop_: Attr::new(vm, "_loop"),
            context: Attr::new(vm, "_context"),
            cancel_message: Attr::new(vm, "_cancel_message"),
            cancelled_exc: Attr::new(vm, "_cancelled_exc"),
            blocking: Attr::new(vm, "_asyncio_future_blocking"),
            step: Attr::new(vm, "_Task__step"),
            wakeup: Attr::new(vm, "_task_wakeup"),
            call_soon: Attr::new(vm, "call_soon"),
            run_once: Attr::new(vm, "_run_once"),
            closed: Attr::new(vm, "_closed"),
            ready: Attr::new(vm, "_ready"),
            callback: Attr::new(vm, "_callback"),
            args: Attr::new(vm, "_args"),
            cancelled: Attr::new(vm, "_cancelled"),
            msg: Attr::new(vm, "msg"),
            context_kw: Attr::new(vm, "context"),
            result: Attr::new(vm, "_result"),
            exception: Attr::new(vm, "_exception"),
            callbacks: Attr::new(vm, "_cbs"),
            log_traceback: Attr::new(vm, "_log_traceback"),
            exception_tb: Attr::new(vm, "_exception_tb"),
            make_cancelled_error: Attr::new(vm, "_make_cancelled_error"),
            source_traceback: Attr::new(vm, "_source_traceback"),
            debug: Attr::new(vm, "_debug"),
            get_debug: Attr::new(vm, "get_debug"),
            del: Attr::new(vm, "__del__"),
            running_loop: Attr::new(vm, "_running_loop"),
            running_thread: Attr::new(vm, "_running_thread"),
            pending: Attr::new(vm, "PENDING"),
            finished: Attr::new(vm, "FINISHED"),
            get_loop: Attr::new(vm, "get_loop"),
            add_done_callback: Attr::new(vm, "add_done_callback"),
            result_m: Attr::new(vm, "result"),
            cancelled_m: Attr::new(vm, "cancelled"),
            set_result_m: Attr::new(vm, "set_result"),
            name: Attr::new(vm, "_name"),
            created_at: Attr::new(vm, "_created_at"),
            log_destroy_pending: Attr::new(vm, "_log_destroy_pending"),
            task_name_counter: Attr::new(vm, "_task_name_counter"),
        }
    }
}

/// Registers `_c_step_init` and the task and future natives in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj) -> Shared<StepEnv> {
    // (global name, __qualname__ as CPython's C classes show it, implementation)
    let ops: [Op<StepEnv>; 22] = [
        ("_c_task_step", "Task.__step", task_step_native),
        (
            "_c_create_future",
            "BaseEventLoop.create_future",
            create_future,
        ),
        ("_c_task_init", "Task.__init__", task_init),
        ("_c_new_task", "asyncio._new_task", new_task),
        ("_c_future_init", "Future.__init__", future_init),
        ("_c_future_del", "Future.__del__", future_del),
        ("_c_task_del", "Task.__del__", task_del),
        ("_c_arm_finalizer", "asyncio._arm_finalizer", arm_finalizer),
        (
            "_c_keep_exception_tb",
            "asyncio._keep_exception_tb",
            keep_exception_tb,
        ),
        ("_c_quiet_pending", "asyncio._quiet_pending", quiet_pending),
        (
            "_c_get_running_loop",
            "asyncio.get_running_loop",
            get_running_loop,
        ),
        ("_c_get_loop", "_LoopBoundMixin._get_loop", get_loop),
        ("_c_task_wakeup", "Task.task_wakeup", task_wakeup),
        ("_c_future_done", "Future.done", future_done),
        ("_c_future_cancelled", "Future.cancelled", future_cancelled),
        ("_c_future_get_loop", "Future.get_loop", future_get_loop),
        ("_c_future_result", "Future.result", future_result),
        ("_c_future_exception", "Future.exception", future_exception),
        (
            "_c_future_add_done_callback",
            "Future.add_done_callback",
            future_add_done_callback,
        ),
        (
            "_c_future_set_result",
            "Future.set_result",
            future_set_result,
        ),
        (
            "_c_set_result_unless_cancelled",
            "asyncio._set_result_unless_cancelled",
            set_result_unless_cancelled,
        ),
        (
            "_c_future_schedule_callbacks",
            "Future._schedule_callbacks",
            future_schedule_callbacks,
        ),
    ];
    let globals = g.clone();
    let env = define_group(vm, g, INIT, move |vm, a| init_env(vm, a, &globals), &ops);
    super::future_iter::define(vm, g, env.clone());
    super::sleep0::define(vm, g);
    env
}

/// The prelude call that hands the step natives their state.
pub(super) const INIT: &str = "_c_step_init";

/// `_c_task_step(task, exc=None)`: `Task.__step`.
fn task_step_native(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_c_task_step", 1, 2)?;
    let exc = a.pos.get(1).cloned().unwrap_or(Value::None);
    task_step(vm, env, &a.pos[0], exc)?;
    Ok(Value::None)
}

/// `Future.__init__(self, *, loop=None)`: the attributes CPython's C future keeps, in the
/// instance dict where the prelude's methods read them.
fn future_init(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    if a.pos.len() > 1 {
        return Err(vm.new_type_error("Future() takes no positional arguments"));
    }
    a.check_kwargs(vm, "Future", &["loop"])?;
    let fut = this(vm, &a, "__init__", 1)?;
    init_future(vm, env, fut, a.kwarg("loop"))?;
    Ok(Value::None)
}

/// What `Future.__init__` sets up (`loop`: the keyword argument).
fn init_future(
    vm: &mut Vm,
    env: &StepEnv,
    fut: &Value,
    event_loop: Option<&Value>,
) -> PyResult<()> {
    let event_loop = match event_loop {
        Some(l) if !l.is_none() => l.clone(),
        _ => {
            let get = global(vm, env, "get_event_loop")?;
            vm.call(&get, &[], &[])?
        }
    };
    for (name, v) in env
        .n
        .future_fields()
        .iter()
        .zip(future_values(env, &event_loop))
    {
        iset(vm, fut, name, v)?;
    }
    finish_future(vm, env, fut, &event_loop)
}

/// The values [`Names::future_fields`] start with in a future of `event_loop`.
fn future_values(env: &StepEnv, event_loop: &Value) -> [Value; FUTURE_FIELDS] {
    [
        event_loop.clone(),
        Value::Str(env.n.pending.clone()),
        Value::None,
        Value::None,
        Value::None,
        Value::Bool(Bool::FALSE),
    ]
}

/// The rest of `Future.__init__` once the fields are set: the finalizer disarmed for a
/// class that keeps `Future.__del__`, the creation site recorded in debug mode.
fn finish_future(vm: &mut Vm, env: &StepEnv, fut: &Value, event_loop: &Value) -> PyResult<()> {
    let n = &env.n;
    if let Value::Obj(o) = fut {
        // Nothing to report when it dies until it holds an exception (`set_exception`
        // arms the finalizer), unless a subclass brings its own `__del__`.
        let cls = vm.class_of(fut).clone();
        if keeps_own_del(vm, env, &cls) {
            o.set_finalizer_armed(false);
        }
    }
    let debug = if loop_natives(vm, env, event_loop) & KEEPS_GET_DEBUG != 0 {
        iget(vm, event_loop, &n.debug)?
    } else {
        aio_vm::module::call_method(vm, event_loop, "get_debug", &[])?
    };
    if !vm.is_true(&debug)? {
        return Ok(());
    }
    let site = creation_site(vm, env);
    iset(vm, fut, &n.source_traceback, site)
}

/// Whether the class `cls` resolves `__del__` to `Future.__del__`, remembered for the
/// last class and class epoch.
fn keeps_own_del(vm: &mut Vm, env: &StepEnv, cls: &Obj) -> bool {
    let key = (Rc::as_ptr(cls) as usize, aio_vm::types::type_epoch());
    let (cached, answer) = env.own_del.get();
    if cached == key {
        return answer;
    }
    let answer = vm
        .lookup(cls, &env.n.del)
        .is_some_and(|d| is(&d, &env.future_del));
    env.own_del.set((key, answer));
    answer
}

/// `loop.create_future()`: `Future(loop=self)` without the class call.
fn create_future(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    if a.pos.len() != 1 || !a.kw.is_empty() {
        // A method defined in Python in CPython (base_events).
        let msg = match a.kw.first() {
            Some((k, _)) if a.pos.len() == 1 => {
                format!(
                    "BaseEventLoop.create_future() got an unexpected keyword argument '{}'",
                    k.as_str()
                )
            }
            _ if a.pos.is_empty() => {
                "BaseEventLoop.create_future() missing 1 required positional argument: 'self'"
                    .to_string()
            }
            _ => format!(
                "BaseEventLoop.create_future() takes 1 positional argument but {} were given",
                a.pos.len()
            ),
        };
        return Err(vm.new_type_error(msg));
    }
    let event_loop = &a.pos[0];
    let names = env.n.future_fields();
    let values = future_values(env, event_loop);
    let fut = env
        .future_layout
        .instance(vm, &env.future_cls, names, values)?;
    finish_future(vm, env, &fut, event_loop)?;
    Ok(fut)
}

/// `Task.__init__(self, coro, *, loop=None, name=None, context=None)`, as the prelude's
/// former aio code did it statement by statement.
fn task_init(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_kwargs(vm, "Task", &["coro", "loop", "name", "context"])?;
    let task = this(vm, &a, "__init__", 3)?;
    let coro = match (a.pos.get(1), a.kwarg("coro")) {
        (Some(c), None) if a.pos.len() == 2 => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => {
            return Err(vm.new_type_error("Task() missing required argument 'coro' (pos 1)"))
        }
        _ => {
            let given = a.pos.len() - 1 + a.kwarg("coro").is_some() as usize;
            return Err(vm.new_type_error(format!(
                "Task() takes exactly 1 positional argument ({given} given)"
            )));
        }
    };
    let context = a.kwarg("context").cloned().unwrap_or(Value::None);
    init_task(
        vm,
        env,
        task,
        coro,
        a.kwarg("loop"),
        a.kwarg("name"),
        context,
    )?;
    Ok(Value::None)
}

/// `_c_new_task(cls, coro, loop, name, context)`: `cls(coro, loop=loop, name=name,
/// context=context)` for `BaseEventLoop.create_task` without a task factory. The
/// prelude's `Task`, keeping its native `__init__`, is made and initialized here without
/// the class call's argument handling; any other class is called.
fn new_task(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_c_new_task", 5, 5)?;
    let [cls, coro, event_loop, name, context] = [0, 1, 2, 3, 4].map(|i| &a.pos[i]);
    let own_init = matches!(cls, Value::Obj(c) if Rc::ptr_eq(c, &env.task_cls))
        && vm
            .lookup(&env.task_cls, &vm.names.__init__.clone())
            .is_some_and(|f| is(&f, &env.task_init_fn));
    if own_init && !event_loop.is_none() && is_generator_coroutine(coro) {
        // `init_task` in one go: the fields of the future and of the task filled as the
        // object is made.
        let name = task_name(vm, env, Some(name))?;
        let [a, b, c, d, e, f] = future_values(env, event_loop);
        let [g, h, i, j] = task_values(name, coro.clone());
        let values = [a, b, c, d, e, f, g, h, i, j];
        let task = env
            .task_layout
            .instance(vm, &env.task_cls, env.n.task_fields(), values)?;
        finish_future(vm, env, &task, event_loop)?;
        start_task(vm, env, &task, context.clone())?;
        return Ok(task);
    }
    if own_init {
        let task = vm.new_instance(&env.task_cls)?;
        let (lp, name) = (Some(event_loop), Some(name));
        init_task(vm, env, &task, coro.clone(), lp, name, context.clone())?;
        return Ok(task);
    }
    let kw = [
        (vm.intern("loop"), event_loop.clone()),
        (vm.intern("name"), name.clone()),
        (vm.intern("context"), context.clone()),
    ];
    vm.call(cls, std::slice::from_ref(coro), &kw)
}

/// The body of `Task.__init__` once its arguments are parsed.
fn init_task(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    coro: Value,
    event_loop: Option<&Value>,
    name: Option<&Value>,
    context: Value,
) -> PyResult<()> {
    let n = &env.n;
    init_future(vm, env, task, event_loop)?;
    // A generator or a coroutine; an async generator is neither.
    let is_coro = is_generator_coroutine(&coro) || {
        let f = global(vm, env, "iscoroutine")?;
        let r = vm.call(&f, std::slice::from_ref(&coro), &[])?;
        vm.is_true(&r)?
    };
    if !is_coro {
        // C's task_init clears task_log_destroy_pending first: the half-made task dies
        // quietly.
        silence_pending(vm, env, task)?;
        let msg = format!("a coroutine was expected, got {}", vm.repr(&coro)?.as_str());
        return Err(vm.new_type_error(msg));
    }
    let name = task_name(vm, env, name)?;
    let fields = [&n.name, &n.must_cancel, &n.fut_waiter, &n.coro];
    for (f, v) in fields.into_iter().zip(task_values(name, coro)) {
        iset(vm, task, f, v)?;
    }
    start_task(vm, env, task, context)
}

/// Whether `coro` is a generator or a coroutine object (not an async generator), which
/// `iscoroutine` accepts without being called.
fn is_generator_coroutine(coro: &Value) -> bool {
    matches!(coro.payload(), Some(Payload::Generator(g)) if g.kind != GenKind::AsyncGenerator)
}

/// The values of a task's own fields after its future's ([`Names::task_fields`]).
fn task_values(name: Value, coro: Value) -> [Value; 4] {
    [name, Value::Bool(Bool::FALSE), Value::None, coro]
}

/// The task's `_name`: `name` as a string, or the next number of unnamed tasks (formatted
/// by `get_name` when first asked for).
fn task_name(vm: &mut Vm, env: &StepEnv, name: Option<&Value>) -> PyResult {
    if let Some(v) = name.filter(|v| !v.is_none()) {
        return Ok(Value::Str(vm.to_str(v)?));
    }
    let counter = &env.n.task_name_counter;
    let k = match vm.dict_get_str(&env.globals, counter) {
        Some(Value::Int(k)) => k + 1,
        _ => 1,
    };
    if let Payload::Dict(d) = &env.globals.payload {
        d.borrow_mut().set_str(Rc::clone(counter), Value::Int(k));
    }
    Ok(Value::Int(k))
}

/// The end of `Task.__init__` once the fields are set: where the task was made, its
/// context, its first step scheduled, and its place in `all_tasks()`.
fn start_task(vm: &mut Vm, env: &StepEnv, task: &Value, context: Value) -> PyResult<()> {
    let n = &env.n;
    let site = match task {
        Value::Obj(o) => own_get(vm, o, &n.source_traceback).unwrap_or(Value::None),
        _ => Value::None,
    };
    let created_at = if vm.is_true(&site)? {
        site
    } else {
        creation_site(vm, env)
    };
    iset(vm, task, &n.created_at, created_at)?;
    let context = env.contexts.or_copy(vm, context)?;
    iset(vm, task, &n.context, context.clone())?;
    let event_loop = iget(vm, task, &n.loop_)?;
    call_soon_step(vm, env, task, &event_loop, None, context)?;
    if let Value::Obj(o) = task {
        super::weakset::add_member(&env.all_tasks, o);
    }
    Ok(())
}

/// A module global of `asyncio`.
fn global(vm: &mut Vm, env: &StepEnv, name: &str) -> PyResult {
    let key = vm.intern(name);
    vm.dict_get_str(&env.globals, &key)
        .ok_or_else(|| vm.new_runtime_error(format!("asyncio.{name} is missing")))
}

/// `Future.__del__`: F-8, a future that dies holding an exception nobody retrieved reports
/// it (`_report_unretrieved`, prelude).
fn future_del(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = this(vm, &a, "__del__", 1)?;
    report_unretrieved(vm, env, fut)
}

/// `Task.__del__`: T-14, a task that dies pending reports "Task was destroyed but it is
/// pending!" (`_report_destroyed_pending`, prelude) unless `gather` made it for a bare
/// coroutine; then what `Future.__del__` reports.
fn task_del(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let task = this(vm, &a, "__del__", 1)?;
    if let Value::Obj(o) = task {
        let state = slot_get(vm, o, &env.n.state);
        if state.is_some_and(|s| s.as_str().is_some_and(|s| s.as_str() == "PENDING")) {
            let log = vm.get_attr(task, &env.n.log_destroy_pending)?;
            if vm.is_true(&log)? {
                aio_vm::module::call_method(vm, task, "_report_destroyed_pending", &[])?;
            }
        }
    }
    report_unretrieved(vm, env, task)
}

/// F-8: `fut` dies holding an exception nobody retrieved.
fn report_unretrieved(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult {
    // Read from the slot or the instance dict only: a future whose __init__ failed has no
    // attributes.
    let log = match fut {
        Value::Obj(o) => own_get(vm, o, &env.n.log_traceback),
        _ => None,
    };
    if let Some(log) = log {
        if vm.is_true(&log)? {
            aio_vm::module::call_method(vm, fut, "_report_unretrieved", &[])?;
        }
    }
    Ok(Value::None)
}

/// `_arm_finalizer(fut)`: the future's `__del__` runs when it dies (it holds an exception).
fn arm_finalizer(vm: &mut Vm, _env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_arm_finalizer", 1, 1)?;
    if let Value::Obj(o) = &a.pos[0] {
        o.set_finalizer_armed(true);
    }
    Ok(Value::None)
}

/// The number of traceback entries of exception `e`.
fn traceback_len(e: &Value) -> Option<usize> {
    match e.payload() {
        Some(Payload::Exception(d)) => Some(d.borrow().traceback.len()),
        _ => None,
    }
}

/// `_keep_exception_tb(fut)`: `fut._exception_tb`, the traceback `fut._exception` has as
/// it is set (CPython's `fut_exception_tb`), kept as its number of entries.
fn keep_exception_tb(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_keep_exception_tb", 1, 1)?;
    let fut = &a.pos[0];
    let exc = iget(vm, fut, &env.n.exception)?;
    if let Some(len) = traceback_len(&exc) {
        iset(vm, fut, &env.n.exception_tb, Value::Int(len as i64))?;
    }
    Ok(Value::None)
}

/// The exception `result()` raises: its traceback back to what it was when it was set,
/// the first time; to nothing after that (CPython 3.11's `future_get_result` restores
/// `fut_exception_tb`, then clears it).
fn restore_exception_tb(vm: &mut Vm, env: &StepEnv, fut: &Value, e: &Obj) -> PyResult<()> {
    let Value::Int(kept) = iget(vm, fut, &env.n.exception_tb)? else {
        return Ok(());
    };
    if let Payload::Exception(d) = &e.payload {
        d.borrow_mut().traceback.truncate(kept.max(0) as usize);
    }
    if kept != 0 {
        iset(vm, fut, &env.n.exception_tb, Value::Int(0))?;
    }
    Ok(())
}

/// `_quiet_pending(task)`: what `task._log_destroy_pending = False` does (T-14), without
/// giving the task an instance dict: a pending task of a class that keeps `Task.__del__`
/// has nothing else to report when it dies, so its finalizer is turned off
/// (`set_exception` turns it back on).
fn quiet_pending(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_quiet_pending", 1, 1)?;
    silence_pending(vm, env, &a.pos[0])?;
    Ok(Value::None)
}

/// `task._log_destroy_pending = False` (T-14), turning the finalizer off instead when the
/// task is pending and its class keeps `Task.__del__`.
fn silence_pending(vm: &mut Vm, env: &StepEnv, task: &Value) -> PyResult<()> {
    if let Value::Obj(o) = task {
        if keeps_task_del(vm, env, task) && state_is(vm, env, task, State::Pending)? {
            o.set_finalizer_armed(false);
        } else {
            vm.set_attr(task, &env.n.log_destroy_pending, Value::Bool(Bool::FALSE))?;
        }
    }
    Ok(())
}

/// Whether `task`'s class keeps `Task.__del__` (a subclass may bring its own).
fn keeps_task_del(vm: &mut Vm, env: &StepEnv, task: &Value) -> bool {
    let cls = vm.class_of(task).clone();
    vm.lookup(&cls, &env.n.del)
        .is_some_and(|d| is(&d, &env.task_del))
}

/// `get_running_loop()`.
fn get_running_loop(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_asyncio.get_running_loop", 0, 0)?;
    match running_loop(vm, env) {
        Some(l) => Ok(l),
        None => Err(vm.new_runtime_error("no running event loop")),
    }
}

/// `_get_running_loop()`: the loop running in this thread, if any.
fn running_loop(vm: &Vm, env: &StepEnv) -> Option<Value> {
    // The loop runs in one thread (`_running_thread`); others have none running.
    let here = Value::Int(vm.thread_ident() as i64);
    let in_this_thread = dict_get_hinted(&env.globals, &env.n.running_thread)
        .is_some_and(|t| simple_key_eq(&t, &here) == Some(true));
    dict_get_hinted(&env.globals, &env.n.running_loop).filter(|l| !l.is_none() && in_this_thread)
}

/// `_LoopBoundMixin._get_loop(self)` (the loop of a lock, event, condition, semaphore,
/// queue or barrier): `loop = events._get_running_loop()` (`None` when no loop runs) /
/// `if self._loop is None: self._loop = loop` / `if loop is not self._loop: raise
/// RuntimeError(f'{self!r} is bound to a different event loop')` / `return loop`.
fn get_loop(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "_LoopBoundMixin._get_loop", ["self"])?;
    let running = running_loop(vm, env).unwrap_or(Value::None);
    let mut bound = iget(vm, &this, &env.n.loop_)?;
    if bound.is_none() {
        // Once per object, and through `__setattr__` as the Python code stores it.
        vm.set_attr(&this, &env.n.loop_, running.clone())?;
        bound = iget(vm, &this, &env.n.loop_)?;
    }
    if !is(&running, &bound) {
        let r = vm.repr(&this)?;
        let msg = format!("{} is bound to a different event loop", r.as_str());
        return Err(vm.new_runtime_error(msg));
    }
    Ok(running)
}

/// `_c_task_wakeup(task, future)`: `Task._task_wakeup`, a step with the future's
/// exception, if any, thrown in.
fn task_wakeup(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_c_task_wakeup", 2, 2)?;
    wake(vm, env, &a.pos[0], &a.pos[1])?;
    Ok(Value::None)
}

/// What `Task._task_wakeup(fut)` does.
fn wake(vm: &mut Vm, env: &StepEnv, task: &Value, fut: &Value) -> PyResult<()> {
    let r = if own_method(vm, env, fut, &env.n.result_m) {
        result_of(vm, env, fut)
    } else {
        let m = vm.get_attr(fut, &env.n.result_m)?;
        vm.call(&m, &[], &[])
    };
    let exc = match r {
        Ok(_) => Value::None,
        Err(e) => Value::Obj(e),
    };
    task_step(vm, env, task, exc)
}

/// Whether `obj`'s class has `Future`'s own method `name` (not an override), so the
/// native implementation may run without a call.
fn own_method(vm: &mut Vm, env: &StepEnv, obj: &Value, name: &Rc<Str>) -> bool {
    let cls = vm.class_of(obj).clone();
    if Rc::ptr_eq(&cls, &env.future_cls) {
        return true;
    }
    match (vm.lookup(&cls, name), vm.lookup(&env.future_cls, name)) {
        (Some(a), Some(b)) => is(&a, &b),
        _ => false,
    }
}

/// Whether `v`'s class is exactly `Future` or `Task` (CPython's `Future_CheckExact` /
/// `Task_CheckExact`): no subclass code can intercept its fields.
fn is_exact_future(env: &StepEnv, v: &Value) -> bool {
    v.as_obj()
        .and_then(|o| o.class_raw())
        .is_some_and(|c| Rc::ptr_eq(c, &env.future_cls) || Rc::ptr_eq(c, &env.task_cls))
}

/// A future's `_state`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Cancelled,
    Finished,
    /// Anything else a script stored there.
    Other,
}

/// The future's state, read once (`"PENDING"`, `"CANCELLED"`, `"FINISHED"`). The states
/// the natives store are interned: compared by address first.
#[inline]
fn state_of(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<State> {
    let s = iget(vm, fut, &env.n.state)?;
    let Some(s) = s.as_str() else {
        return Ok(State::Other);
    };
    if Rc::ptr_eq(s, &env.n.pending) {
        return Ok(State::Pending);
    }
    if Rc::ptr_eq(s, &env.n.finished) {
        return Ok(State::Finished);
    }
    Ok(match s.as_str() {
        "PENDING" => State::Pending,
        "CANCELLED" => State::Cancelled,
        "FINISHED" => State::Finished,
        _ => State::Other,
    })
}

/// Whether the future's state is `state`.
#[inline]
fn state_is(vm: &mut Vm, env: &StepEnv, fut: &Value, state: State) -> PyResult<bool> {
    Ok(state_of(vm, env, fut)? == state)
}

/// The receiver of a Future method (`self`).
fn this<'a>(vm: &mut Vm, a: &Args<'a>, name: &str, max: usize) -> PyResult<&'a Value> {
    a.check_count(vm, name, 1, max)?;
    Ok(&a.pos[0])
}

/// The receiver of a Future method taking `args` arguments, with C's errors, which name
/// the C class ("Task.result() takes no arguments (1 given)", "... no keyword arguments").
fn receiver<'a>(vm: &mut Vm, a: &Args<'a>, name: &str, args: usize) -> PyResult<&'a Value> {
    let Some(this) = a.pos.first() else {
        let msg = format!("unbound method Future.{name}() needs an argument");
        return Err(vm.new_type_error(msg));
    };
    if a.pos.len() - 1 != args || !a.kw.is_empty() {
        let cls = super::signatures::owner(vm, this);
        let qual = format!("{cls}.{name}");
        if !a.kw.is_empty() {
            return Err(vm.new_type_error(format!("{qual}() takes no keyword arguments")));
        }
        a.method_count(vm, &qual, args, args)?;
    }
    Ok(this)
}

/// `Future.done()`.
fn future_done(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "done", 0)?;
    Ok(Value::bool(!state_is(vm, env, fut, State::Pending)?))
}

/// `Future.cancelled()`.
fn future_cancelled(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "cancelled", 0)?;
    Ok(Value::bool(state_is(vm, env, fut, State::Cancelled)?))
}

/// `Future.get_loop()`.
fn future_get_loop(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "get_loop", 0)?;
    iget(vm, fut, &env.n.loop_)
}

/// What `result()` and `exception()` share: the cancelled error, or "not set".
fn check_finished(vm: &mut Vm, env: &StepEnv, fut: &Value, what: &str) -> PyResult<()> {
    let state = state_of(vm, env, fut)?;
    if state == State::Cancelled {
        let make = vm.get_attr(fut, &env.n.make_cancelled_error)?;
        let exc = vm.call(&make, &[], &[])?;
        return Err(match exc {
            Value::Obj(e) => e,
            _ => vm.new_type_error("exceptions must derive from BaseException"),
        });
    }
    if state != State::Finished {
        return Err(vm.new_exception_msg(
            &env.invalid_state_error.clone(),
            format!("{what} is not set."),
        ));
    }
    // `self.__log_traceback = False`, written only over a `True` (the class default is
    // `False`), so retrieving a result gives the future no instance dict.
    let logged = match fut {
        Value::Obj(o) => own_get(vm, o, &env.n.log_traceback),
        _ => None,
    };
    match logged {
        Some(v) if vm.is_true(&v)? => iset(vm, fut, &env.n.log_traceback, Value::Bool(Bool::FALSE)),
        _ => Ok(()),
    }
}

/// `Future.result()`.
fn future_result(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "result", 0)?;
    result_of(vm, env, fut)
}

/// What `Future.result()` returns or raises for `fut`.
pub(super) fn result_of(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult {
    check_finished(vm, env, fut, "Result")?;
    match iget(vm, fut, &env.n.exception)? {
        Value::Obj(e) => {
            restore_exception_tb(vm, env, fut, &e)?;
            Err(e)
        }
        _ => iget(vm, fut, &env.n.result),
    }
}

/// Whether `fut` is still pending (not `done()`).
pub(super) fn is_pending(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<bool> {
    state_is(vm, env, fut, State::Pending)
}

/// Whether `fut` was cancelled (`Future.cancelled()`).
pub(super) fn is_cancelled(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<bool> {
    state_is(vm, env, fut, State::Cancelled)
}

/// `fut._asyncio_future_blocking`.
pub(super) fn is_blocking(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<bool> {
    let b = iget(vm, fut, &env.n.blocking)?;
    vm.is_true(&b)
}

/// `fut._asyncio_future_blocking = True`.
pub(super) fn set_blocking(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<()> {
    iset(vm, fut, &env.n.blocking, Value::Bool(Bool::TRUE))
}

/// `Future.exception()`.
fn future_exception(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "exception", 0)?;
    check_finished(vm, env, fut, "Exception")?;
    iget(vm, fut, &env.n.exception)
}

/// `Future.add_done_callback(fn, *, context=None)` (rule F-3: a done future schedules the
/// callback at once, never calls it inline).
fn future_add_done_callback(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.method_clinic_count(vm, "add_done_callback", 1, 1, 2)?;
    a.check_kwargs(vm, "add_done_callback", &["context"])?;
    let (fut, callback) = (&a.pos[0], a.pos[1].clone());
    let context = a.kwarg("context").cloned().unwrap_or(Value::None);
    add_callback(vm, env, fut, callback, context)?;
    Ok(Value::None)
}

/// What `add_done_callback` does.
fn add_callback(
    vm: &mut Vm,
    env: &StepEnv,
    fut: &Value,
    callback: Value,
    context: Value,
) -> PyResult<()> {
    let context = env.contexts.or_copy(vm, context)?;
    if !state_is(vm, env, fut, State::Pending)? {
        let event_loop = iget(vm, fut, &env.n.loop_)?;
        let args = vm.new_tuple(vec![fut.clone()]);
        return call_soon(vm, env, &event_loop, callback, args, context);
    }
    let entry = if context.is_none()
        && exact_sequence(vm, &callback).is_none()
        && !is_task(vm, env, &callback)
    {
        callback
    } else {
        vm.new_tuple(vec![callback, context])
    };
    push_callback(vm, env, fut, entry)
}

/// `fut.add_done_callback(task.__wakeup, context=task._context)` as a task waiting on a
/// future registers it: the wake-up of a pending future in the task's own context (or
/// none) is kept as the bare task (see [`callback_entry`]), so a waiting task needs no
/// bound method.
fn add_wakeup(vm: &mut Vm, env: &StepEnv, fut: &Value, task: &Value) -> PyResult<()> {
    let own = iget(vm, task, &env.n.context)?;
    let context = env.contexts.or_copy(vm, own.clone())?;
    if (context.is_none() || is(&context, &own)) && state_is(vm, env, fut, State::Pending)? {
        return push_callback(vm, env, fut, task.clone());
    }
    let wakeup = vm.get_attr(task, &env.n.wakeup)?;
    add_callback(vm, env, fut, wakeup, context)
}

/// Appends `entry` to the callbacks of the pending future `fut`.
fn push_callback(vm: &mut Vm, env: &StepEnv, fut: &Value, entry: Value) -> PyResult<()> {
    let callbacks = iget(vm, fut, &env.n.callbacks)?;
    if callbacks.is_none() {
        // The first callback is kept alone, as CPython's C future keeps it outside the
        // list: most futures never get a second.
        return iset(vm, fut, &env.n.callbacks, entry);
    }
    if exact_sequence(vm, &callbacks) == Some(false) {
        return append(vm, &callbacks, entry);
    }
    let list = vm.new_list(vec![callbacks, entry]);
    iset(vm, fut, &env.n.callbacks, list)
}

/// The exact built-in shape of `v` (`Some(true)`: a `tuple`, `Some(false)`: a `list`),
/// by which the `_cbs` slot of a future tells its contents apart. It holds `None`, one
/// entry, or a list of entries; an entry is a `(callback, context)` tuple, a bare task
/// for the task's wake-up without a context (`add_wakeup`), or the bare callback when the
/// context is `None` and the callback is neither a task nor a plain tuple or list (which
/// no callable is).
fn exact_sequence(vm: &Vm, v: &Value) -> Option<bool> {
    let cls = vm.class_of(v);
    if Rc::ptr_eq(cls, &vm.types.tuple) {
        Some(true)
    } else if Rc::ptr_eq(cls, &vm.types.list) {
        Some(false)
    } else {
        None
    }
}

/// The `(callback, context)` pair of one `_cbs` entry (see [`exact_sequence`]). A bare
/// task stays the callback, with its own context: the handle that wakes it holds the
/// task, which the loop runs as its wake-up ([`wakeup_callback`]), so no bound method
/// waits in the ready queue. (`add_callback` never stores a task as a bare callback.)
fn callback_entry(vm: &mut Vm, env: &StepEnv, entry: Value) -> PyResult<(Value, Value)> {
    if exact_sequence(vm, &entry) == Some(true) {
        if let Some(Payload::Tuple(t)) = entry.payload() {
            if t.len() == 2 {
                return Ok((t[0].clone(), t[1].clone()));
            }
        }
    }
    if is_task(vm, env, &entry) {
        let context = iget(vm, &entry, &env.n.context)?;
        return Ok((entry, context));
    }
    Ok((entry, Value::None))
}

/// What a handle of `callback` with arguments `args` calls: a bare task's bound step
/// (`args` is `_STEP_ARGS`) or wake-up (see [`wakeup_callback`]), any other callback as it
/// is.
pub(super) fn bound_callback(
    vm: &mut Vm,
    env: &StepEnv,
    callback: Value,
    args: &Value,
) -> PyResult {
    if is(args, &env.step_args) {
        return vm.get_attr(&callback, &env.n.step);
    }
    match args.payload() {
        Some(Payload::Tuple(items)) => {
            wakeup_callback(vm, callback, items, &env.n.wakeup, &env.n.fut_waiter)
        }
        _ => Ok(callback),
    }
}

/// What a handle of `callback` with arguments `args` calls: for a task called with the
/// future it waits on (an object whose class has `wakeup` (`_task_wakeup`) and no
/// `__call__`, with `fut_waiter` (`_fut_waiter`) the one argument: how the natives queue
/// a task's wake-up), its bound wake-up; anything else as it is, so a task that a script
/// gave as a callback fails as CPython's does.
fn wakeup_callback(
    vm: &mut Vm,
    callback: Value,
    args: &[Value],
    wakeup: &Attr,
    fut_waiter: &Attr,
) -> PyResult {
    let [waited] = args else {
        return Ok(callback);
    };
    if !matches!(callback.payload(), Some(Payload::Slots(_))) {
        return Ok(callback);
    }
    let cls = vm.class_of(&callback).clone();
    if vm.lookup(&cls, wakeup).is_none() || vm.lookup(&cls, &vm.names.__call__.clone()).is_some() {
        return Ok(callback);
    }
    let waiter = iget(vm, &callback, fut_waiter)?;
    if !is(&waiter, waited) {
        return Ok(callback);
    }
    vm.get_attr(&callback, wakeup)
}

/// Whether `v` is a `Task` (of any subclass).
fn is_task(vm: &Vm, env: &StepEnv, v: &Value) -> bool {
    match v {
        Value::Obj(o) if matches!(o.payload, Payload::Slots(_)) => {
            vm.is_instance_of(o, &env.task_cls)
        }
        _ => false,
    }
}

/// `Future.set_result(result)`.
fn future_set_result(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = receiver(vm, &a, "set_result", 1)?;
    set_result(vm, env, fut, a.pos[1].clone())?;
    Ok(Value::None)
}

/// What `Future.set_result(result)` does.
pub(super) fn set_result(vm: &mut Vm, env: &StepEnv, fut: &Value, result: Value) -> PyResult<()> {
    if !state_is(vm, env, fut, State::Pending)? {
        return Err(vm.new_exception_msg(&env.invalid_state_error.clone(), "invalid state"));
    }
    iset(vm, fut, &env.n.result, result)?;
    iset(vm, fut, &env.n.state, Value::Str(env.n.finished.clone()))?;
    schedule_callbacks(vm, env, fut)
}

/// `_set_result_unless_cancelled(fut, result)` (`asyncio.futures`, the callback of
/// `sleep`'s timer and of the streams' waiters): `fut.cancelled()` and
/// `fut.set_result(result)` run natively when `fut`'s class keeps `Future`'s own.
fn set_result_unless_cancelled(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    a.check_count(vm, "_set_result_unless_cancelled", 2, 2)?;
    let (fut, result) = (&a.pos[0], a.pos[1].clone());
    let cancelled = if own_method(vm, env, fut, &env.n.cancelled_m) {
        state_is(vm, env, fut, State::Cancelled)?
    } else {
        let r = aio_vm::module::call_method(vm, fut, "cancelled", &[])?;
        vm.is_true(&r)?
    };
    if cancelled {
        return Ok(Value::None);
    }
    if own_method(vm, env, fut, &env.n.set_result_m) {
        set_result(vm, env, fut, result)?;
    } else {
        aio_vm::module::call_method(vm, fut, "set_result", &[result])?;
    }
    Ok(Value::None)
}

/// `Future._schedule_callbacks()`.
fn future_schedule_callbacks(vm: &mut Vm, env: &StepEnv, a: Args) -> PyResult {
    let fut = this(vm, &a, "_schedule_callbacks", 1)?;
    schedule_callbacks(vm, env, fut)?;
    Ok(Value::None)
}

/// Rule F-1: each registered callback is scheduled with `call_soon`, in registration order,
/// and the list is emptied.
fn schedule_callbacks(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<()> {
    let callbacks = iget(vm, fut, &env.n.callbacks)?;
    if callbacks.is_none() {
        return Ok(());
    }
    let entries: Vec<Value> = match callbacks.payload() {
        Some(Payload::List(items)) if exact_sequence(vm, &callbacks) == Some(false) => {
            items.borrow().clone()
        }
        _ => vec![callbacks],
    };
    iset(vm, fut, &env.n.callbacks, Value::None)?;
    if entries.is_empty() {
        return Ok(());
    }
    let event_loop = iget(vm, fut, &env.n.loop_)?;
    for entry in entries {
        let (callback, context) = callback_entry(vm, env, entry)?;
        if queue_bare(vm, env, &event_loop, &callback, Some(fut), &context)? {
            continue;
        }
        let args = vm.new_tuple(vec![fut.clone()]);
        call_soon(vm, env, &event_loop, callback, args, context)?;
    }
    Ok(())
}

/// `_c_step_init(CancelledError, InvalidStateError, Future, BaseEventLoop, Handle,
/// _current_tasks, _all_tasks, Task)`.
fn init_env(vm: &mut Vm, a: &Args, globals: &Obj) -> PyResult<StepEnv> {
    a.check_count(vm, "_c_step_init", 8, 8)?;
    let obj = |vm: &mut Vm, v: &Value| match v {
        Value::Obj(o) => Ok(o.clone()),
        _ => Err(vm.new_type_error("_c_step_init: expected an object")),
    };
    let future = &a.pos[2];
    let event_loop = &a.pos[3];
    let step_args = Value::Obj(vm.track(Object::new(
        vm.types.tuple.clone(),
        Payload::Tuple(Box::new([])),
    )));
    vm.dict_set_str(globals, "_STEP_ARGS", step_args.clone());
    Ok(StepEnv {
        cancelled_error: obj(vm, &a.pos[0])?,
        invalid_state_error: obj(vm, &a.pos[1])?,
        future_cancel: aio_vm::module::getattr(vm, future, "cancel")?,
        future_set_result: aio_vm::module::getattr(vm, future, "set_result")?,
        future_set_exception: aio_vm::module::getattr(vm, future, "set_exception")?,
        loop_call_soon: aio_vm::module::getattr(vm, event_loop, "call_soon")?,
        loop_run_once: aio_vm::module::getattr(vm, event_loop, "_run_once")?,
        handle_cls: obj(vm, &a.pos[4])?,
        current_tasks: obj(vm, &a.pos[5])?,
        all_tasks: a.pos[6].clone(),
        loop_get_debug: aio_vm::module::getattr(vm, event_loop, "get_debug")?,
        future_del: aio_vm::module::getattr(vm, future, "__del__")?,
        future_cls: obj(vm, future)?,
        task_del: aio_vm::module::getattr(vm, &a.pos[7], "__del__")?,
        task_cls: obj(vm, &a.pos[7])?,
        task_step_fn: aio_vm::module::getattr(vm, &a.pos[7], "_Task__step")?,
        task_wakeup_fn: aio_vm::module::getattr(vm, &a.pos[7], "_task_wakeup")?,
        task_init_fn: aio_vm::module::getattr(vm, &a.pos[7], "__init__")?,
        step_args,
        globals: globals.clone(),
        site: RefCell::new(None),
        contexts: super::context::Contexts::new(vm)?,
        handle_pool: RefCell::new(Vec::new()),
        loop_plain: KeptMethods::new(),
        task_kept: KeptMethods::new(),
        own_del: std::cell::Cell::new(((0, 0), false)),
        future_layout: Layout::new(),
        task_layout: Layout::new(),
        n: Names::new(vm),
    })
}

/// `_creation_site()` for a future or task being made: the tuple made last time when the
/// caller is at the same code and line.
fn creation_site(vm: &mut Vm, env: &StepEnv) -> Value {
    let Some((code, line)) = vm.caller_outside_code("asyncio/") else {
        return Value::None;
    };
    if let Some((c, l, site)) = &*env.site.borrow() {
        if Rc::ptr_eq(c, &code) && *l == line {
            return site.clone();
        }
    }
    let site = super::creation_site_value(vm);
    *env.site.borrow_mut() = Some((code, line, site.clone()));
    site
}

fn is(a: &Value, b: &Value) -> bool {
    a.id() == b.id()
}

/// `Task.__step(exc)`.
fn task_step(vm: &mut Vm, env: &StepEnv, task: &Value, exc: Value) -> PyResult<()> {
    let event_loop = iget(vm, task, &env.n.loop_)?;
    let entered = enter_task(vm, env, &event_loop, task)?;
    let r = task_step_impl(vm, env, task, &event_loop, exc);
    let left = leave_task(vm, env, entered, &event_loop, task);
    match (r, left) {
        (Err(e), Err(l)) => {
            // `_PyErr_ChainExceptions`: the step's error becomes the context.
            if let Payload::Exception(d) = &l.payload {
                d.borrow_mut().context = Value::Obj(e);
            }
            Err(l)
        }
        (r, left) => r.and(left),
    }
}

/// CPython's C `task_step_impl`: the step between entering and leaving the task.
fn task_step_impl(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    event_loop: &Value,
    mut exc: Value,
) -> PyResult<()> {
    let n = &env.n;
    let state = iget(vm, task, &n.state)?;
    if state.as_str().is_none_or(|s| s.as_str() != "PENDING") {
        let msg = format!(
            "_step(): already done: {}, {}",
            vm.repr(task)?.as_str(),
            vm.repr(&exc)?.as_str()
        );
        return Err(vm.new_exception_msg(&env.invalid_state_error.clone(), msg));
    }
    let must_cancel = iget(vm, task, &n.must_cancel)?;
    if vm.is_true(&must_cancel)? {
        let is_cancel = matches!(&exc, Value::Obj(e) if vm.is_instance_of(e, &env.cancelled_error));
        if !is_cancel {
            exc = aio_vm::module::call_method(vm, task, "_make_cancelled_error", &[])?;
        }
        iset(vm, task, &n.must_cancel, Value::Bool(Bool::FALSE))?;
    }
    let coro = iget(vm, task, &n.coro)?;
    iset(vm, task, &n.fut_waiter, Value::None)?;
    let sent = resume(vm, &coro, exc);
    after_resume(vm, env, task, event_loop, sent)
}

/// `_current_tasks[loop]` found by the loop's `hash`: `Ok(Some(pos))` at that position,
/// `Ok(None)` absent, `Err(())` when a key of equal hash needs `__eq__` to decide.
fn current_position(env: &StepEnv, hash: i64, event_loop: &Value) -> Result<Option<usize>, ()> {
    let Payload::Dict(d) = &env.current_tasks.payload else {
        return Err(());
    };
    let mut undecided = false;
    let pos = d.borrow().find_with(hash, |k| {
        simple_key_eq(k, event_loop).unwrap_or_else(|| {
            undecided = true;
            false
        })
    });
    if undecided {
        return Err(());
    }
    Ok(pos)
}

/// Where [`enter_task`] put the task: the loop's hash, and the entry's position when it
/// was appended (most likely still where it is when the task leaves).
type Entered = (i64, Option<usize>);

/// CPython's C `enter_task`: `_current_tasks[loop] = task`, unless another task of the
/// loop is running.
fn enter_task(vm: &mut Vm, env: &StepEnv, event_loop: &Value, task: &Value) -> PyResult<Entered> {
    let hash = vm.hash(event_loop)?;
    let found = match &env.current_tasks.payload {
        Payload::Dict(d) if d.borrow().is_empty() => Ok(None),
        _ => current_position(env, hash, event_loop),
    };
    let current = match found {
        Ok(None) => {
            if let Payload::Dict(d) = &env.current_tasks.payload {
                let pos = d
                    .borrow_mut()
                    .push_pos(hash, event_loop.clone(), task.clone());
                return Ok((hash, Some(pos)));
            }
            None
        }
        Ok(Some(pos)) => current_at(env, pos),
        Err(()) => vm.dict_lookup(&env.current_tasks, event_loop)?,
    };
    if let Some(current) = current {
        let msg = format!(
            "Cannot enter into task {} while another task {} is being executed.",
            vm.repr(task)?.as_str(),
            vm.repr(&current)?.as_str()
        );
        return Err(vm.new_runtime_error(msg));
    }
    vm.dict_set(&env.current_tasks, event_loop.clone(), task.clone())?;
    Ok((hash, None))
}

/// The task at position `pos` of `_current_tasks`.
fn current_at(env: &StepEnv, pos: usize) -> Option<Value> {
    match &env.current_tasks.payload {
        Payload::Dict(d) => d.borrow().value_at(pos).cloned(),
        _ => None,
    }
}

/// CPython's C `leave_task`: `del _current_tasks[loop]`, which must be `task`.
fn leave_task(
    vm: &mut Vm,
    env: &StepEnv,
    (hash, appended): Entered,
    event_loop: &Value,
    task: &Value,
) -> PyResult<()> {
    if let (Some(pos), Payload::Dict(d)) = (appended, &env.current_tasks.payload) {
        let mut d = d.borrow_mut();
        if d.entry_at(pos)
            .is_some_and(|e| is(&e.key, event_loop) && is(&e.value, task))
        {
            let entry = d.remove_at(pos);
            drop(d);
            drop(entry);
            return Ok(());
        }
    }
    let (pos, current) = match current_position(env, hash, event_loop) {
        Ok(Some(pos)) => (Some(pos), current_at(env, pos)),
        Ok(None) => (None, None),
        Err(()) => (None, vm.dict_lookup(&env.current_tasks, event_loop)?),
    };
    match current {
        Some(c) if is(&c, task) => {
            match (pos, &env.current_tasks.payload) {
                (Some(pos), Payload::Dict(d)) => {
                    let entry = d.borrow_mut().remove_at(pos);
                    drop(entry);
                }
                _ => {
                    vm.dict_remove(&env.current_tasks, event_loop)?;
                }
            }
            Ok(())
        }
        other => {
            let msg = format!(
                "Leaving task {} does not match the current task {}.",
                vm.repr(task)?.as_str(),
                vm.repr(&other.unwrap_or(Value::None))?.as_str()
            );
            Err(vm.new_runtime_error(msg))
        }
    }
}

/// `coro.send(None)` or `coro.throw(exc)`; a `StopIteration` from a coroutine-like object
/// that is not a native coroutine becomes `Return`.
fn resume(vm: &mut Vm, coro: &Value, exc: Value) -> PyResult<GenResult> {
    if let Value::Obj(g) = coro {
        if matches!(g.payload, Payload::Generator(_)) {
            return if exc.is_none() {
                vm.gen_send(g, Value::None)
            } else {
                vm.gen_throw(g, exc)
            };
        }
    }
    let r = if exc.is_none() {
        aio_vm::module::call_method(vm, coro, "send", &[Value::None])
    } else {
        aio_vm::module::call_method(vm, coro, "throw", &[exc])
    };
    match r {
        Ok(v) => Ok(GenResult::Yield(v)),
        Err(e) if vm.is_instance_of(&e, &vm.exc.stop_iteration.clone()) => {
            Ok(GenResult::Return(vm.stop_iteration_value(&e)))
        }
        Err(e) => Err(e),
    }
}

/// The step's outcome: finish the task, or arrange its next step.
fn after_resume(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    event_loop: &Value,
    sent: PyResult<GenResult>,
) -> PyResult<()> {
    let n = &env.n;
    match sent {
        Ok(GenResult::Return(v)) => {
            let must_cancel = iget(vm, task, &n.must_cancel)?;
            if vm.is_true(&must_cancel)? {
                iset(vm, task, &n.must_cancel, Value::Bool(Bool::FALSE))?;
                let msg = iget(vm, task, &n.cancel_message)?;
                vm.call(
                    &env.future_cancel,
                    std::slice::from_ref(task),
                    &[(n.msg.clone(), msg)],
                )?;
            } else {
                vm.call(&env.future_set_result, &[task.clone(), v], &[])?;
            }
            discard(vm, env, task)
        }
        Err(e) => {
            if vm.is_instance_of(&e, &env.cancelled_error) {
                iset(vm, task, &n.cancelled_exc, Value::Obj(e))?;
                vm.call(&env.future_cancel, std::slice::from_ref(task), &[])?;
                return discard(vm, env, task);
            }
            let fatal = vm.is_instance_of(&e, &vm.exc.keyboard_interrupt.clone())
                || vm.is_instance_of(&e, &vm.exc.system_exit.clone());
            vm.call(
                &env.future_set_exception,
                &[task.clone(), Value::Obj(e.clone())],
                &[],
            )?;
            discard(vm, env, task)?;
            if fatal {
                return Err(e);
            }
            Ok(())
        }
        Ok(GenResult::Yield(result)) => yielded(vm, env, task, event_loop, result),
    }
}

/// The task finished: `_all_tasks.discard(task)`, and its finalizer (armed while it is
/// pending, T-14) disarmed unless it holds an exception nobody retrieved yet (F-8) or its
/// class brings its own `__del__`.
fn discard(vm: &mut Vm, env: &StepEnv, task: &Value) -> PyResult<()> {
    if let Value::Obj(o) = task {
        super::weakset::discard_member(&env.all_tasks, o);
        let log = own_get(vm, o, &env.n.log_traceback);
        if keeps_task_del(vm, env, task)
            && !log.is_some_and(|l| matches!(l, Value::Bool(b) if b == Bool::TRUE))
        {
            o.set_finalizer_armed(false);
        }
    }
    Ok(())
}

/// The coroutine yielded `result`: a future to wait for, `None` (run again next
/// iteration), or something a task cannot handle.
fn yielded(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    event_loop: &Value,
    result: Value,
) -> PyResult<()> {
    let n = &env.n;
    if result.is_none() {
        return requeue(vm, env, task, event_loop, None);
    }
    // An exact `Future` or `Task` holds the flag in its slot, which no subclass code
    // can intercept: read and written there, as CPython's C task reads a C future's field.
    let exact = is_exact_future(env, &result);
    let blocking = if exact {
        Some(iget(vm, &result, &n.blocking)?)
    } else {
        vm.get_attr_or_absent(&result, &n.blocking)?
    }
    .filter(|b| !b.is_none());
    let Some(blocking) = blocking else {
        let msg = format!("Task got bad yield: {}", vm.repr(&result)?.as_str());
        return requeue(vm, env, task, event_loop, Some(msg));
    };
    let result_loop = if own_method(vm, env, &result, &n.get_loop) {
        iget(vm, &result, &n.loop_)?
    } else {
        let m = vm.get_attr(&result, &n.get_loop)?;
        vm.call(&m, &[], &[])?
    };
    if !is(&result_loop, event_loop) {
        let msg = format!(
            "Task {} got Future {} attached to a different loop",
            vm.repr(task)?.as_str(),
            vm.repr(&result)?.as_str()
        );
        return requeue(vm, env, task, event_loop, Some(msg));
    }
    if !vm.is_true(&blocking)? {
        let msg = format!(
            "yield was used instead of yield from in task {} with {}",
            vm.repr(task)?.as_str(),
            vm.repr(&result)?.as_str()
        );
        return requeue(vm, env, task, event_loop, Some(msg));
    }
    if is(&result, task) {
        let msg = format!("Task cannot await on itself: {}", vm.repr(task)?.as_str());
        return requeue(vm, env, task, event_loop, Some(msg));
    }
    if exact {
        iset(vm, &result, &n.blocking, Value::Bool(Bool::FALSE))?;
    } else {
        vm.set_attr(&result, &n.blocking, Value::Bool(Bool::FALSE))?;
    }
    if own_method(vm, env, &result, &n.add_done_callback) {
        add_wakeup(vm, env, &result, task)?;
    } else {
        let wakeup = vm.get_attr(task, &n.wakeup)?;
        let context = iget(vm, task, &n.context)?;
        let add = vm.get_attr(&result, &n.add_done_callback)?;
        vm.call(&add, &[wakeup], &[(n.context_kw.clone(), context)])?;
    }
    iset(vm, task, &n.fut_waiter, result.clone())?;
    let must_cancel = iget(vm, task, &n.must_cancel)?;
    if vm.is_true(&must_cancel)? {
        let msg = iget(vm, task, &n.cancel_message)?;
        let cancel = aio_vm::module::getattr(vm, &result, "cancel")?;
        let done = vm.call(&cancel, &[], &[(n.msg.clone(), msg)])?;
        if vm.is_true(&done)? {
            iset(vm, task, &n.must_cancel, Value::Bool(Bool::FALSE))?;
        }
    }
    Ok(())
}

/// `loop.call_soon(self.__step[, RuntimeError(msg)], context=context)`. Without an
/// exception, a task whose class keeps the native step is queued bare (see [`run_bare`]).
fn call_soon_step(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    event_loop: &Value,
    error: Option<String>,
    context: Value,
) -> PyResult<()> {
    if error.is_none() && task_methods(vm, env, task) & STEPS != 0 {
        if queue_bare(vm, env, event_loop, task, None, &context)? {
            return Ok(());
        }
        // The bare task with `_STEP_ARGS`: no bound method waits in the ready queue.
        return call_soon(
            vm,
            env,
            event_loop,
            task.clone(),
            env.step_args.clone(),
            context,
        );
    }
    let step = vm.get_attr(task, &env.n.step)?;
    let args = match error {
        Some(msg) => vec![Value::Obj(vm.new_runtime_error(msg))],
        None => Vec::new(),
    };
    let args = vm.new_tuple(args);
    call_soon(vm, env, event_loop, step, args, context)
}

/// The coroutine yielded: `loop.call_soon(self.__step[, RuntimeError(msg)],
/// context=self._context)`.
fn requeue(
    vm: &mut Vm,
    env: &StepEnv,
    task: &Value,
    event_loop: &Value,
    error: Option<String>,
) -> PyResult<()> {
    let context = iget(vm, task, &env.n.context)?;
    call_soon_step(vm, env, task, event_loop, error, context)
}

impl StepEnv {
    /// The default contexts, and how a handle runs in one.
    pub(super) fn contexts(&self) -> &super::context::Contexts {
        &self.contexts
    }
}

/// Runs a handle's `callback(*args)` when the natives queued it as a bare task: a step
/// (`args` is `_STEP_ARGS`) or a wake-up (the one argument is the future the task waits
/// on), for a task whose class keeps the native method, called here without a bound
/// method. `None` for any other callback, which the caller calls as it is.
pub(super) fn run_bare(
    vm: &mut Vm,
    env: &StepEnv,
    callback: &Value,
    args: &Value,
) -> Option<PyResult<()>> {
    if !matches!(callback.payload(), Some(Payload::Slots(_))) {
        return None;
    }
    if is(args, &env.step_args) {
        if task_methods(vm, env, callback) & STEPS == 0 {
            return None;
        }
        return Some(task_step(vm, env, callback, Value::None));
    }
    let Some(Payload::Tuple(items)) = args.payload() else {
        return None;
    };
    let [fut] = &items[..] else { return None };
    if task_methods(vm, env, callback) & WAKES == 0 {
        return None;
    }
    match iget(vm, callback, &env.n.fut_waiter) {
        Ok(w) if is(&w, fut) => Some(wake(vm, env, callback, fut)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    }
}

/// `loop.call_soon(callback, *args, context=context)`. For the loop's own `call_soon` the
/// handle is built and queued here, as that method would: `_check_closed()`, then
/// `Handle(callback, args, loop, context)` appended to `loop._ready`.
fn call_soon(
    vm: &mut Vm,
    env: &StepEnv,
    event_loop: &Value,
    callback: Value,
    args: Value,
    context: Value,
) -> PyResult<()> {
    let n = &env.n;
    if loop_natives(vm, env, event_loop) & KEEPS_CALL_SOON == 0 {
        // Another loop's `call_soon` gets the bound step or wake-up of a task.
        let (callback, mut all) = if is(&args, &env.step_args) {
            (vm.get_attr(&callback, &n.step)?, vec![])
        } else {
            let items = match args.payload() {
                Some(Payload::Tuple(items)) => items.to_vec(),
                _ => Vec::new(),
            };
            let cb = wakeup_callback(vm, callback, &items, &n.wakeup, &n.fut_waiter)?;
            (cb, items)
        };
        all.insert(0, callback);
        let call_soon = vm.get_attr(event_loop, &n.call_soon)?;
        vm.call(&call_soon, &all, &[(n.context_kw.clone(), context)])?;
        return Ok(());
    }
    let closed = iget(vm, event_loop, &n.closed)?;
    if vm.is_true(&closed)? {
        return Err(vm.new_runtime_error("Event loop is closed"));
    }
    let context = env.contexts.or_copy(vm, context)?;
    let handle = new_handle(vm, env, event_loop, callback, args, context)?;
    let ready = iget(vm, event_loop, &n.ready)?;
    append(vm, &ready, handle)
}

/// `Handle(callback, args, loop, context)`, reusing an emptied handle when one is kept
/// (see [`recycle_handle`]).
fn new_handle(
    vm: &mut Vm,
    env: &StepEnv,
    event_loop: &Value,
    callback: Value,
    args: Value,
    context: Value,
) -> PyResult {
    let n = &env.n;
    let pooled = env.handle_pool.borrow_mut().pop();
    let handle = match pooled {
        Some(h) => Value::Obj(h),
        None => vm.new_instance(&env.handle_cls)?,
    };
    iset(vm, &handle, &n.callback, callback)?;
    iset(vm, &handle, &n.args, args)?;
    iset(vm, &handle, &n.loop_, event_loop.clone())?;
    iset(vm, &handle, &n.cancelled, Value::Bool(Bool::FALSE))?;
    iset(vm, &handle, &n.context, context)?;
    Ok(handle)
}

/// Queues a task's step (`waited` is `None`) or its wake-up by the future `waited` as the
/// task itself in `loop._ready`: no handle and no arguments tuple wait there (a hundred
/// thousand woken tasks would hold as many of each). [`run_entry`] runs it, telling the
/// two apart by the task's `_fut_waiter`: `None` for a step; the future for a wake-up,
/// as it stays until the task's next step. False, having queued nothing, unless the loop
/// and the task keep the native methods, the loop is open, `_fut_waiter` is as said,
/// and `context` is the task's own, which the handle would not have replaced by a copy
/// (see [`Contexts::or_copy`](super::context::Contexts::or_copy)): the caller then
/// queues a handle.
fn queue_bare(
    vm: &mut Vm,
    env: &StepEnv,
    event_loop: &Value,
    task: &Value,
    waited: Option<&Value>,
    context: &Value,
) -> PyResult<bool> {
    let n = &env.n;
    let keeps = KEEPS_CALL_SOON | KEEPS_RUN_ONCE;
    let plain = is_bare_entry(vm, env, task)
        && loop_natives(vm, env, event_loop) & keeps == keeps
        && !(context.is_none() && env.contexts.used());
    if !plain {
        return Ok(false);
    }
    if let Some(fut) = waited {
        let wakes = task_methods(vm, env, task) & WAKES != 0;
        if !wakes || !is(&iget(vm, task, &n.fut_waiter)?, fut) {
            return Ok(false);
        }
    } else if !iget(vm, task, &n.fut_waiter)?.is_none() {
        return Ok(false);
    }
    if !is(&iget(vm, task, &n.context)?, context) || truthy(vm, event_loop, &n.closed)? {
        return Ok(false);
    }
    let ready = iget(vm, event_loop, &n.ready)?;
    append(vm, &ready, task.clone())?;
    Ok(true)
}

/// Runs one entry of `loop._ready` that [`queue_bare`] queued as the bare task (the
/// caller checked it with [`is_bare_entry`]): its step when its `_fut_waiter` is `None`,
/// else its wake-up by that future, in the task's context. `None` when its context's
/// class overrides `run`: the caller then runs [`entry_handle`]'s handle.
pub(super) fn run_entry(vm: &mut Vm, env: &StepEnv, entry: &Value) -> Option<PyResult<()>> {
    let (context, waiter) = match (
        iget(vm, entry, &env.n.context),
        iget(vm, entry, &env.n.fut_waiter),
    ) {
        (Ok(c), Ok(w)) => (c, w),
        (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
    };
    let go = |vm: &mut Vm| {
        if waiter.is_none() {
            task_step(vm, env, entry, Value::None)
        } else {
            wake(vm, env, entry, &waiter)
        }
    };
    if context.is_none() {
        return Some(go(vm));
    }
    env.contexts.run(vm, &context, go)
}

/// Whether `entry` of `loop._ready` is a task [`queue_bare`] queued: an instance of a
/// class that keeps the native step (a handle's does not have one).
pub(super) fn is_bare_entry(vm: &mut Vm, env: &StepEnv, entry: &Value) -> bool {
    match entry.as_obj() {
        Some(o) if matches!(o.payload, Payload::Slots(_)) => {
            !o.class_raw()
                .is_some_and(|c| Rc::ptr_eq(c, &env.handle_cls))
                && task_methods(vm, env, entry) & STEPS != 0
        }
        _ => false,
    }
}

/// The handle CPython would have queued for a bare task entry of `loop._ready` (see
/// [`queue_bare`]): for the debug mode's timing, a context that overrides `run`, or an
/// error reported as a callback's.
/// A wake-up's handle holds the bound `_task_wakeup`, as CPython's: its repr, made after
/// it ran (when the task no longer waits on the future), still names the wake-up.
pub(super) fn entry_handle(vm: &mut Vm, env: &StepEnv, task: &Value) -> PyResult {
    let waiter = iget(vm, task, &env.n.fut_waiter)?;
    let (callback, args) = if waiter.is_none() {
        (task.clone(), env.step_args.clone())
    } else {
        let wakeup = vm.get_attr(task, &env.n.wakeup)?;
        (wakeup, vm.new_tuple(vec![waiter]))
    };
    let event_loop = iget(vm, task, &env.n.loop_)?;
    let context = iget(vm, task, &env.n.context)?;
    new_handle(vm, env, &event_loop, callback, args, context)
}

/// How many emptied handles [`recycle_handle`] keeps.
const HANDLE_POOL: usize = 64;

/// Keeps `handle`, a `Handle` (not a subclass) that ran and that nothing else refers to
/// (no other reference, no weak reference, no instance dict), for a later `call_soon`
/// (CPython keeps free lists of its objects in the same spirit). Its slots are emptied
/// here, which releases what it held just as its death would have.
pub(super) fn recycle_handle(env: &StepEnv, handle: Value) {
    let Value::Obj(o) = handle else { return };
    let reusable = Rc::strong_count(&o) == 1
        && !o.may_be_weakly_referenced()
        && o.dict.get().is_none()
        && o.class_raw()
            .is_some_and(|c| Rc::ptr_eq(c, &env.handle_cls));
    let Payload::Slots(vals) = &o.payload else {
        return;
    };
    if !reusable || env.handle_pool.borrow().len() >= HANDLE_POOL {
        return;
    }
    // Nothing else reaches the handle, so what the values' deaths run cannot touch it.
    for v in vals.borrow_mut().iter_mut() {
        drop(v.take());
    }
    env.handle_pool.borrow_mut().push(o);
}

/// `list.append(item)`, straight into a list's items.
fn append(vm: &mut Vm, list: &Value, item: Value) -> PyResult<()> {
    match list.payload() {
        Some(Payload::List(items)) => items.borrow_mut().push(item),
        _ => {
            aio_vm::module::call_method(vm, list, "append", &[item])?;
        }
    }
    Ok(())
}
