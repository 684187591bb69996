/* proc.h — child processes for the harness: a peer (shim) is spawned with its stdin and stdout
 * as pipes, stderr to a log file and a readiness pipe as fd 3 (`ready <port>`); its stdout is
 * read as JSON lines without blocking; every process is reaped, with SIGTERM then SIGKILL after
 * a deadline, on every path. Each shim runs in its own process group, and stopping it stops the
 * whole group, so nothing a shim started outlives the test. */
#ifndef OSCAR_PROC_H
#define OSCAR_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../core/hcore.h"

#define OSCAR_PROC_READY_FD 3
#define OSCAR_PROC_EXIT_SKIP 77          /* the shim cannot run here (tool missing, too old) */
#define OSCAR_PROC_EXIT_UNIMPLEMENTED 89 /* the shim lacks the role or feature */
#define OSCAR_PROC_LINE_MAX 65536

struct oscar_proc {
    pid_t pid;
    int in_fd;    /* our end of its stdin */
    int out_fd;   /* our end of its stdout */
    int ready_fd; /* our end of its readiness pipe */
    char buf[OSCAR_PROC_LINE_MAX];
    size_t used;
    bool out_eof;
    bool exited;
    int status; /* waitpid status once exited */
};

/* oscar_proc_spawn starts argv (argv[0] searched in PATH) with stderr appended to log_path. */
enum oscar_err oscar_proc_spawn(struct oscar_proc *p, char *const argv[], const char *log_path,
                                struct oscar_diag *diag);

/* oscar_proc_wait_ready waits up to timeout_ms for `ready <port>`; a process that exits first,
 * or says something else, is an error naming what happened: OSCAR_ERR_STATE for exit 89
 * (unimplemented), OSCAR_ERR_UNSUPPORTED_ALG for exit 77 (cannot run here). */
enum oscar_err oscar_proc_wait_ready(struct oscar_proc *p, unsigned *out_port, int timeout_ms,
                                     struct oscar_diag *diag);

/* oscar_proc_send writes one line (a newline is appended) to the process's stdin. */
enum oscar_err oscar_proc_send(struct oscar_proc *p, const char *line);

/* oscar_proc_read_line returns the next complete stdout line in *out (NUL-terminated, valid until
 * the next call), or NULL in *out when none is available now. Never blocks. */
void oscar_proc_read_line(struct oscar_proc *p, const char **out);

/* oscar_proc_poll_exit reaps the process if it has exited (non-blocking). */
bool oscar_proc_poll_exit(struct oscar_proc *p);

/* oscar_proc_stop closes stdin, waits up to grace_ms, then SIGTERM, then SIGKILL; always reaps.
 * Returns the exit status description in why (e.g. "exit 0", "killed by signal 11"). */
void oscar_proc_stop(struct oscar_proc *p, int grace_ms, char *why, size_t why_cap);

/* oscar_proc_describe_status formats a waitpid status. */
void oscar_proc_describe_status(int status, char *out, size_t cap);

#endif
