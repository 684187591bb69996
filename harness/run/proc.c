/* proc.c — see proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_STEP_MS 10

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

enum oscar_err oscar_proc_spawn(struct oscar_proc *p, char *const argv[], const char *log_path,
                                struct oscar_diag *diag)
{
    memset(p, 0, sizeof(*p));
    p->pid = -1;
    p->in_fd = p->out_fd = p->ready_fd = -1;
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int ready[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
        enum oscar_err err = oscar_diag_set(diag, OSCAR_ERR_IO, "pipe: %s", strerror(errno));
        for (int i = 0; i < 2; i++) {
            close_fd(&in[i]);
            close_fd(&out[i]);
            close_fd(&ready[i]);
        }
        return err;
    }
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_t pid = fork();
    if (pid == 0) {
        /* its own process group, so stopping it reaches whatever it starts (a shim's tools) */
        setpgid(0, 0);
        /* child: stdin, stdout, stderr and fd 3; everything else is close-on-exec */
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
            (log >= 0 && dup2(log, STDERR_FILENO) < 0) || dup2(ready[1], OSCAR_PROC_READY_FD) < 0) {
            _exit(127);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&ready[1]);
    if (log >= 0) {
        close(log);
    }
    if (pid < 0) {
        close_fd(&in[1]);
        close_fd(&out[0]);
        close_fd(&ready[0]);
        return oscar_diag_set(diag, OSCAR_ERR_IO, "fork: %s", strerror(errno));
    }
    p->pid = pid;
    p->in_fd = in[1];
    p->out_fd = out[0];
    p->ready_fd = ready[0];
    fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
    /* a peer that dies must not kill the harness with SIGPIPE on our next write */
    signal(SIGPIPE, SIG_IGN);
    return OSCAR_OK;
}

void oscar_proc_describe_status(int status, char *out, size_t cap)
{
    if (WIFEXITED(status)) {
        snprintf(out, cap, "exit %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(out, cap, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else {
        snprintf(out, cap, "status 0x%x", (unsigned)status);
    }
}

bool oscar_proc_poll_exit(struct oscar_proc *p)
{
    if (p->exited || p->pid <= 0) {
        return true;
    }
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid) {
        p->exited = true;
        p->status = st;
        return true;
    }
    return false;
}

enum oscar_err oscar_proc_wait_ready(struct oscar_proc *p, unsigned *out_port, int timeout_ms,
                                     struct oscar_diag *diag)
{
    char line[64];
    size_t n = 0;
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0) {
            return oscar_diag_set(diag, OSCAR_ERR_IO, "not ready within %d ms", timeout_ms);
        }
        struct pollfd pfd = {p->ready_fd, POLLIN, 0};
        int r = poll(&pfd, 1, left > WAIT_STEP_MS ? WAIT_STEP_MS : (int)left);
        if (r > 0) {
            ssize_t got = read(p->ready_fd, line + n, sizeof(line) - 1 - n);
            if (got > 0) {
                n += (size_t)got;
                line[n] = '\0';
                char *nl = strchr(line, '\n');
                if (nl != NULL) {
                    unsigned port;
                    if (sscanf(line, "ready %u", &port) == 1 && port > 0 && port < 65536) {
                        close_fd(&p->ready_fd);
                        *out_port = port;
                        return OSCAR_OK;
                    }
                    return oscar_diag_set(diag, OSCAR_ERR_PARSE,
                                          "said \"%.*s\" on the ready fd, not \"ready <port>\"",
                                          (int)(nl - line), line);
                }
                if (n == sizeof(line) - 1) {
                    return oscar_diag_set(diag, OSCAR_ERR_PARSE, "ready line too long");
                }
                continue;
            }
        }
        if (oscar_proc_poll_exit(p)) {
            char st[64];
            oscar_proc_describe_status(p->status, st, sizeof(st));
            if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == OSCAR_PROC_EXIT_UNIMPLEMENTED) {
                return oscar_diag_set(diag, OSCAR_ERR_STATE, "unimplemented (exit 89)");
            }
            if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == OSCAR_PROC_EXIT_SKIP) {
                return oscar_diag_set(diag, OSCAR_ERR_UNSUPPORTED_ALG, "not available (exit 77)");
            }
            return oscar_diag_set(diag, OSCAR_ERR_IO, "exited before it was ready (%s)", st);
        }
    }
}

enum oscar_err oscar_proc_send(struct oscar_proc *p, const char *line)
{
    size_t len = strlen(line);
    const char *parts[2] = {line, "\n"};
    size_t lens[2] = {len, 1};
    for (int i = 0; i < 2; i++) {
        size_t off = 0;
        while (off < lens[i]) {
            ssize_t w = write(p->in_fd, parts[i] + off, lens[i] - off);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return OSCAR_ERR_IO;
            }
            off += (size_t)w;
        }
    }
    return OSCAR_OK;
}

void oscar_proc_read_line(struct oscar_proc *p, const char **out)
{
    *out = NULL;
    /* drop the line handed out last time */
    char *nl = memchr(p->buf, '\0', p->used);
    if (nl != NULL) {
        size_t consumed = (size_t)(nl - p->buf) + 1;
        memmove(p->buf, p->buf + consumed, p->used - consumed);
        p->used -= consumed;
    }
    for (;;) {
        nl = memchr(p->buf, '\n', p->used);
        if (nl != NULL) {
            *nl = '\0';
            *out = p->buf;
            return;
        }
        if (p->out_eof) {
            return;
        }
        if (p->used == sizeof(p->buf)) {
            /* an endless line: drop it rather than stall (reported as a bad event) */
            p->used = 0;
        }
        ssize_t got = read(p->out_fd, p->buf + p->used, sizeof(p->buf) - p->used);
        if (got <= 0) {
            if (got == 0) {
                p->out_eof = true;
            }
            return;
        }
        p->used += (size_t)got;
    }
}

void oscar_proc_stop(struct oscar_proc *p, int grace_ms, char *why, size_t why_cap)
{
    close_fd(&p->in_fd);
    long deadline = now_ms() + grace_ms;
    int sig = 0;
    while (!oscar_proc_poll_exit(p)) {
        if (now_ms() >= deadline) {
            if (sig == SIGKILL) {
                break;
            }
            sig = sig == 0 ? SIGTERM : SIGKILL;
            kill(-p->pid, sig);
            deadline = now_ms() + grace_ms;
        }
        struct timespec ts = {0, WAIT_STEP_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!p->exited) {
        int st;
        if (waitpid(p->pid, &st, 0) == p->pid) {
            p->exited = true;
            p->status = st;
        }
    }
    /* descendants the shim left behind (e.g. a server it started) go with its group */
    if (p->pid > 0) {
        kill(-p->pid, SIGKILL);
    }
    if (why != NULL) {
        oscar_proc_describe_status(p->status, why, why_cap);
        if (sig != 0) {
            size_t n = strlen(why);
            snprintf(why + n, why_cap - n, " after %s", sig == SIGTERM ? "SIGTERM" : "SIGKILL");
        }
    }
    close_fd(&p->out_fd);
    close_fd(&p->ready_fd);
}
