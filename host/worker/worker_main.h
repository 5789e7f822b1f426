/*
 * worker_main.h - `cfunc worker`, the worker process (see worker_main.c).
 */
#ifndef HOST_WORKER_MAIN_H
#define HOST_WORKER_MAIN_H

/* argv after "worker": --app PATH --host-pid PID [--verbose]. Exit code. */
int host_worker_main(int argc, char **argv);

#endif
