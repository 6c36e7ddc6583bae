/* sandbox_seccomp.c — the system calls a job may not make (libseccomp).
 *
 * A deny list on top of "allow": the decoders need a wide, library-dependent
 * set of ordinary calls (files, memory, threads, time), while what an exploit
 * needs to leave the job — a socket, a new program, a child process, another
 * process's memory, a mount or namespace, the kernel's attack surface of
 * modules, BPF, keyrings and io_uring — is refused with EPERM, so a library
 * that tries sees an ordinary error. clone3 answers ENOSYS so that glibc falls
 * back to clone, whose flags can be checked: threads yes, processes no. */
#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>

static const char *const denied[] = {
    /* network */
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    /* programs and processes */
    "execve",
    "execveat",
    "fork",
    "vfork",
    /* other processes */
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_open",
    "pidfd_getfd",
    "kcmp",
    /* file systems and namespaces */
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "open_by_handle_at",
    "name_to_handle_at",
    "fanotify_init",
    "mknod",
    "mknodat",
    "move_mount",
    "fsopen",
    "fsmount",
    "fsconfig",
    "open_tree",
    /* kernel surface */
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    /* limits stay as set */
    "setrlimit",
};

static int deny_all(scmp_filter_ctx f)
{
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        if (seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0)
            return -1;
    }
    return 0;
}

/* Threads only; prlimit64 may read limits, not set them; signals only to
 * this process. */
static int deny_conditional(scmp_filter_ctx f)
{
    scmp_datum_t self = (scmp_datum_t)getpid();
    return seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) |
           seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                            SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) |
           seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 1,
                            SCMP_A2(SCMP_CMP_NE, 0, 0)) |
           seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
                            SCMP_A0(SCMP_CMP_NE, self, 0)) |
           seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
                            SCMP_A0(SCMP_CMP_NE, self, 0));
}

int aw_sandbox_seccomp(aw_error *err)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
    if (f == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox", "seccomp_init failed");
    int rc = deny_all(f) == 0 && deny_conditional(f) == 0 ? seccomp_load(f) : -1;
    seccomp_release(f);
    if (rc != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox",
                            "seccomp filter not installed (%s)", strerror(rc < 0 ? -rc : EINVAL));
    return AW_OK;
}
