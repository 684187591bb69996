/* cli.h — the subcommands of the oscar command line and its exit codes. */
#ifndef OSCAR_CLI_H
#define OSCAR_CLI_H

#define OSCAR_EXIT_OK 0
#define OSCAR_EXIT_FAIL 1  /* a test, vector or check failed */
#define OSCAR_EXIT_INPUT 2 /* unusable input or usage error */
#define OSCAR_EXIT_USAGE 2

/* oscar_vectors_dir is $OSCAR_VECTORS_DIR, else the source tree's vectors/ directory. */
const char *oscar_vectors_dir(void);

int oscar_cmd_vectors(int argc, char **argv);
int oscar_cmd_bench(int argc, char **argv);
int oscar_cmd_run(int argc, char **argv);
int oscar_cmd_check(int argc, char **argv);
int oscar_cmd_keys(int argc, char **argv);
int oscar_cmd_rules(int argc, char **argv);

#endif
