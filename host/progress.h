/*
 * Progress of long work (proving, setup), for the `starkml` tool. Part of the CLI, not of
 * the library: the library reports through a callback (sm_progress_cb adapts it).
 *
 * Work is a sequence of stages. What a reporter writes depends on its stream:
 *  - a terminal (isatty): one line per stage, redrawn in place at most every 100 ms,
 *      "\r[stage name] [############..................]  42%  3.1 s",
 *    and ended (at 100%, with the stage's duration) when the next stage starts or on done;
 *  - anything else (a file, a pipe, CI logs): two plain lines per stage, one when it
 *    starts and one with its duration when it ends: "stage name..." and
 *    "stage name: 1.23 s"; fraction updates write nothing;
 *  - quiet: nothing at all.
 * A reporter writes only to the stream it was given (stderr, normally) and flushes after
 * each write, so its lines interleave correctly with other diagnostics.
 *
 * Every function accepts NULL for the reporter and then does nothing, so a caller need not
 * check what sm_progress_new returned. A reporter is not thread-safe: call it from one
 * thread (the library's callback is made from the calling thread).
 */
#ifndef STARKML_HOST_PROGRESS_H
#define STARKML_HOST_PROGRESS_H

#include <stdio.h>

typedef struct sm_progress sm_progress;

/* Longest stage name shown (bytes); longer names are cut. */
#define SM_PROGRESS_MAX_STAGE 96

/*
 * Creates a reporter writing to out (normally stderr). out NULL, or quiet non-zero, makes
 * a reporter that writes nothing.
 * Returns: the reporter (free with sm_progress_free), or NULL when out of memory.
 */
sm_progress *sm_progress_new(FILE *out, int quiet);

/*
 * Ends the current stage, if any (as sm_progress_done), and starts one named stage.
 * Control characters in the name are shown as '?', so a name cannot break the line.
 * stage NULL only ends the current stage.
 */
void sm_progress_stage(sm_progress *p, const char *stage);

/* Reports how far the current stage is, fraction in [0, 1] (clamped; NaN counts as 0).
   Ignored when no stage is running. */
void sm_progress_update(sm_progress *p, double fraction);

/* Ends the current stage (on a terminal: draws it complete and ends the line; otherwise
   prints "stage: N.NN s"). Does nothing when no stage is running. */
void sm_progress_done(sm_progress *p);

/* Frees the reporter. A stage still running is not reported as finished; on a terminal
   its line is ended so that what follows starts on a fresh line. NULL is allowed. */
void sm_progress_free(sm_progress *p);

/*
 * Callback adapter for the library: user is an sm_progress*. A stage name different from
 * the current one starts that stage (stage NULL keeps the current one), then fraction
 * is reported as by sm_progress_update.
 */
void sm_progress_cb(void *user, const char *stage, double fraction);

#endif
