/* Progress of long work on a terminal or in a log (see host/progress.h). */
#include "host/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30
#define REDRAW_SECONDS 0.1

struct sm_progress {
  FILE *out;     /* NULL when silent */
  int tty;       /* out is a terminal: redraw one line in place */
  int running;   /* a stage has started and not ended */
  int line_open; /* tty: a progress line is on screen without its newline */
  size_t last_len;
  double fraction;
  double t_start; /* when the current stage started */
  double t_draw;  /* when the line was last drawn */
  char stage[SM_PROGRESS_MAX_STAGE + 1];
};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Copies a stage name as it is shown: cut to SM_PROGRESS_MAX_STAGE bytes, control
   characters replaced by '?'. */
static void clean_name(char dst[SM_PROGRESS_MAX_STAGE + 1], const char *src) {
  size_t n = strlen(src);
  if (n > SM_PROGRESS_MAX_STAGE) n = SM_PROGRESS_MAX_STAGE;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)src[i];
    dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
  }
  dst[n] = '\0';
}

sm_progress *sm_progress_new(FILE *out, int quiet) {
  sm_progress *p = calloc(1, sizeof *p);
  if (p == NULL) return NULL;
  if (out != NULL && !quiet) {
    p->out = out;
    int fd = fileno(out);
    p->tty = fd >= 0 && isatty(fd);
  }
  return p;
}

/* Draws the terminal line: "\r[stage] [####......] 42%  3.1 s", padded over a longer
   previous line. */
static void draw(sm_progress *p, double t) {
  int filled = (int)(p->fraction * BAR_WIDTH);
  int pct = (int)(p->fraction * 100.0);
  char bar[BAR_WIDTH + 1];
  for (int i = 0; i < BAR_WIDTH; i++) bar[i] = i < filled ? '#' : '.';
  bar[BAR_WIDTH] = '\0';
  char line[SM_PROGRESS_MAX_STAGE + BAR_WIDTH + 64];
  int n = snprintf(line, sizeof line, "[%s] [%s] %d%%  %.1f s", p->stage, bar, pct,
                   t - p->t_start);
  size_t len = n < 0 ? 0 : (size_t)n;
  if (len >= sizeof line) len = sizeof line - 1;
  fputc('\r', p->out);
  fputs(line, p->out);
  for (size_t i = len; i < p->last_len; i++) fputc(' ', p->out);
  fflush(p->out);
  p->last_len = len;
  p->t_draw = t;
  p->line_open = 1;
}

void sm_progress_done(sm_progress *p) {
  if (p == NULL || !p->running) return;
  p->running = 0;
  if (p->out == NULL) return;
  double t = now_seconds();
  if (p->tty) {
    p->fraction = 1.0;
    draw(p, t);
    fputc('\n', p->out);
    p->line_open = 0;
    p->last_len = 0;
  } else {
    fprintf(p->out, "%s: %.2f s\n", p->stage, t - p->t_start);
  }
  fflush(p->out);
}

void sm_progress_stage(sm_progress *p, const char *stage) {
  if (p == NULL) return;
  sm_progress_done(p);
  if (stage == NULL) return;
  clean_name(p->stage, stage);
  p->running = 1;
  p->fraction = 0.0;
  p->t_start = now_seconds();
  if (p->out == NULL) return;
  if (p->tty) {
    draw(p, p->t_start);
  } else {
    fprintf(p->out, "%s...\n", p->stage);
    fflush(p->out);
  }
}

void sm_progress_update(sm_progress *p, double fraction) {
  if (p == NULL || !p->running) return;
  if (!(fraction >= 0.0)) fraction = 0.0; /* NaN included */
  if (fraction > 1.0) fraction = 1.0;
  p->fraction = fraction;
  if (p->out == NULL || !p->tty) return;
  double t = now_seconds();
  if (t - p->t_draw >= REDRAW_SECONDS) draw(p, t);
}

void sm_progress_free(sm_progress *p) {
  if (p == NULL) return;
  if (p->out != NULL && p->tty && p->line_open) {
    fputc('\n', p->out);
    fflush(p->out);
  }
  free(p);
}

void sm_progress_cb(void *user, const char *stage, double fraction) {
  sm_progress *p = user;
  if (p == NULL) return;
  if (stage != NULL) {
    /* Compare with the name as it would be stored. */
    char clean[SM_PROGRESS_MAX_STAGE + 1];
    clean_name(clean, stage);
    if (!p->running || strcmp(clean, p->stage) != 0) sm_progress_stage(p, stage);
  }
  sm_progress_update(p, fraction);
}
