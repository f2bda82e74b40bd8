//! The `os` constants taken from the C library: `EX_*`, the `wait`/`waitid` flags and id
//! types, `PRIO_*`, `SEEK_DATA`/`SEEK_HOLE`, `RTLD_*`, the `statvfs` flags `ST_*`,
//! `CLD_*`, `SCHED_*`, `POSIX_FADV_*`, `GRND_*`, the `lockf` commands and a few limits.

use aio_vm::module::ModuleBuilder;
use aio_vm::{Obj, Vm};

/// Installs the constants into `os`.
pub(crate) fn install(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    let consts: &[(&str, i64)] = &[
        // sysexits.h (the same on every system; the libc crate lacks it).
        ("EX_OK", 0),
        ("EX_USAGE", 64),
        ("EX_DATAERR", 65),
        ("EX_NOINPUT", 66),
        ("EX_NOUSER", 67),
        ("EX_NOHOST", 68),
        ("EX_UNAVAILABLE", 69),
        ("EX_SOFTWARE", 70),
        ("EX_OSERR", 71),
        ("EX_OSFILE", 72),
        ("EX_CANTCREAT", 73),
        ("EX_IOERR", 74),
        ("EX_TEMPFAIL", 75),
        ("EX_PROTOCOL", 76),
        ("EX_NOPERM", 77),
        ("EX_CONFIG", 78),
        ("WEXITED", libc::WEXITED as i64),
        ("WSTOPPED", libc::WSTOPPED as i64),
        ("WNOWAIT", libc::WNOWAIT as i64),
        ("P_ALL", libc::P_ALL as i64),
        ("P_PID", libc::P_PID as i64),
        ("P_PGID", libc::P_PGID as i64),
        ("P_PIDFD", libc::P_PIDFD as i64),
        // The spawn modes are Python's own (Lib/os.py).
        ("P_WAIT", 0),
        ("P_NOWAIT", 1),
        ("P_NOWAITO", 1),
        ("PRIO_PROCESS", libc::PRIO_PROCESS as i64),
        ("PRIO_PGRP", libc::PRIO_PGRP as i64),
        ("PRIO_USER", libc::PRIO_USER as i64),
        ("SEEK_DATA", libc::SEEK_DATA as i64),
        ("SEEK_HOLE", libc::SEEK_HOLE as i64),
        ("RTLD_LAZY", libc::RTLD_LAZY as i64),
        ("RTLD_NOW", libc::RTLD_NOW as i64),
        ("RTLD_GLOBAL", libc::RTLD_GLOBAL as i64),
        ("RTLD_LOCAL", libc::RTLD_LOCAL as i64),
        ("RTLD_NODELETE", libc::RTLD_NODELETE as i64),
        ("RTLD_NOLOAD", libc::RTLD_NOLOAD as i64),
        ("RTLD_DEEPBIND", libc::RTLD_DEEPBIND as i64),
        ("ST_RDONLY", libc::ST_RDONLY as i64),
        ("ST_NOSUID", libc::ST_NOSUID as i64),
        ("ST_NODEV", libc::ST_NODEV as i64),
        ("ST_NOEXEC", libc::ST_NOEXEC as i64),
        ("ST_SYNCHRONOUS", libc::ST_SYNCHRONOUS as i64),
        ("ST_MANDLOCK", libc::ST_MANDLOCK as i64),
        ("ST_WRITE", libc::ST_WRITE as i64),
        ("ST_APPEND", libc::ST_APPEND as i64),
        ("ST_NOATIME", libc::ST_NOATIME as i64),
        ("ST_NODIRATIME", libc::ST_NODIRATIME as i64),
        ("ST_RELATIME", libc::ST_RELATIME as i64),
        ("CLD_EXITED", libc::CLD_EXITED as i64),
        ("CLD_KILLED", libc::CLD_KILLED as i64),
        ("CLD_DUMPED", libc::CLD_DUMPED as i64),
        ("CLD_TRAPPED", libc::CLD_TRAPPED as i64),
        ("CLD_STOPPED", libc::CLD_STOPPED as i64),
        ("CLD_CONTINUED", libc::CLD_CONTINUED as i64),
        ("SCHED_OTHER", libc::SCHED_OTHER as i64),
        ("SCHED_FIFO", libc::SCHED_FIFO as i64),
        ("SCHED_RR", libc::SCHED_RR as i64),
        ("SCHED_BATCH", libc::SCHED_BATCH as i64),
        ("SCHED_IDLE", libc::SCHED_IDLE as i64),
        ("SCHED_RESET_ON_FORK", libc::SCHED_RESET_ON_FORK as i64),
        ("POSIX_FADV_NORMAL", libc::POSIX_FADV_NORMAL as i64),
        ("POSIX_FADV_RANDOM", libc::POSIX_FADV_RANDOM as i64),
        ("POSIX_FADV_SEQUENTIAL", libc::POSIX_FADV_SEQUENTIAL as i64),
        ("POSIX_FADV_WILLNEED", libc::POSIX_FADV_WILLNEED as i64),
        ("POSIX_FADV_DONTNEED", libc::POSIX_FADV_DONTNEED as i64),
        ("POSIX_FADV_NOREUSE", libc::POSIX_FADV_NOREUSE as i64),
        ("GRND_NONBLOCK", libc::GRND_NONBLOCK as i64),
        ("GRND_RANDOM", libc::GRND_RANDOM as i64),
        ("F_LOCK", libc::F_LOCK as i64),
        ("F_TLOCK", libc::F_TLOCK as i64),
        ("F_ULOCK", libc::F_ULOCK as i64),
        ("F_TEST", libc::F_TEST as i64),
        // <linux/limits.h> (the libc crate lacks it).
        ("NGROUPS_MAX", 65536),
        ("TMP_MAX", libc::TMP_MAX as i64),
    ];
    for &(name, v) in consts {
        b.constant(name, v);
    }
}
