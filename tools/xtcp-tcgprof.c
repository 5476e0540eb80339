// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-tcgprof.so: a QEMU TCG plugin that counts the guest instructions
 * executed per translation block, in windows the guest marks. Under TCG
 * (no KVM) perf's samples in the guest do not show where the time goes
 * (they land where the guest re-enables interrupts); the instructions a
 * stack executes do, and they do not depend on how busy the host is.
 *
 *   qemu-system-x86_64 ... -plugin xtcp-tcgprof.so,markfile=F,out=P
 *
 * The guest writes, in hex, the address of a kernel function it calls only
 * to mark (scripts/lib-bench-profile.sh: __x64_sys_sync, from its
 * /proc/kallsyms, so KASLR does not matter) into the host file F, through
 * the shared results directory; the plugin reads F until it has it. Each
 * time a vCPU enters that function, the counts since the last mark go to
 * P.N (N = 0, 1, ...) as "address instructions" lines (hex, decimal),
 * sorted by address, and start again from zero. The counters are added
 * inline by the translated code, not atomically: with several vCPUs a
 * few increments may be lost, which a profile can afford.
 *
 * Written against QEMU's plugin API version 1 (QEMU 7.2, Debian 12); the
 * few declarations it needs are below, as that API defines them.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- QEMU plugin API v1: what this plugin uses ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
	enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
	void (*cb)(unsigned int vcpu_index, void *userdata),
	enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t id, void *userdata), void *userdata);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* ---- counters ---- */
struct tbcount {
	uint64_t vaddr;
	uint64_t insns;		/* added by the translated code */
};

#define CHUNK	65536		/* counters never move: chunks, not realloc */
#define NCHUNKS	4096		/* 268M translations */

static struct tbcount *chunks[NCHUNKS];
static size_t ncount;		/* counters handed out */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *markfile, *outp;
static uint64_t mark;		/* 0 until read from markfile */
static struct timespec checked;
static int window;

static struct tbcount *tbcount_new(uint64_t vaddr)
{
	size_t c = ncount / CHUNK;
	struct tbcount *t;

	if (c >= NCHUNKS)
		return NULL;
	if (!chunks[c]) {
		chunks[c] = calloc(CHUNK, sizeof(*chunks[c]));
		if (!chunks[c])
			return NULL;
	}
	t = &chunks[c][ncount++ % CHUNK];
	t->vaddr = vaddr;
	return t;
}

/* the mark's address, once the guest has written it (checked at most
 * every 200 ms, when code is translated)
 */
static void mark_read(void)
{
	struct timespec now;
	char buf[64];
	FILE *f;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - checked.tv_sec) * 1000000000LL +
	    (now.tv_nsec - checked.tv_nsec) < 200000000LL)
		return;
	checked = now;
	f = fopen(markfile, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f))
		mark = strtoull(buf, NULL, 16);
	fclose(f);
}

static int by_vaddr(const void *a, const void *b)
{
	const struct tbcount *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* the counts since the last mark to OUT.N, merged by address; reset */
static void window_dump(void)
{
	struct tbcount *all;
	char path[4096];
	size_t i, n = 0;
	FILE *f;

	all = malloc((ncount ? ncount : 1) * sizeof(*all));
	if (!all)
		return;
	for (i = 0; i < ncount; i++) {
		struct tbcount *t = &chunks[i / CHUNK][i % CHUNK];

		if (t->insns) {
			all[n++] = *t;
			t->insns = 0;
		}
	}
	qsort(all, n, sizeof(*all), by_vaddr);
	snprintf(path, sizeof(path), "%s.%d", outp, window++);
	f = fopen(path, "w");
	if (f) {
		for (i = 0; i < n; i++) {
			uint64_t sum = all[i].insns;

			while (i + 1 < n && all[i + 1].vaddr == all[i].vaddr)
				sum += all[++i].insns;
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", all[i].vaddr, sum);
		}
		fclose(f);
	}
	free(all);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	pthread_mutex_lock(&lock);
	window_dump();
	pthread_mutex_unlock(&lock);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t va = qemu_plugin_tb_vaddr(tb);
	struct tbcount *t;

	(void)id;
	pthread_mutex_lock(&lock);
	if (!mark)
		mark_read();
	t = tbcount_new(va);
	pthread_mutex_unlock(&lock);
	if (t)
		qemu_plugin_register_vcpu_tb_exec_inline(tb,
			QEMU_PLUGIN_INLINE_ADD_U64, &t->insns,
			qemu_plugin_tb_n_insns(tb));
	if (mark && va == mark)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark,
			QEMU_PLUGIN_CB_NO_REGS, NULL);
}

static void on_exit_dump(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	pthread_mutex_lock(&lock);
	window_dump();		/* what followed the last mark */
	pthread_mutex_unlock(&lock);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const struct qemu_info_t *info, int argc,
			       char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "markfile=", 9))
			markfile = argv[i] + 9;
		else if (!strncmp(argv[i], "out=", 4))
			outp = argv[i] + 4;
		else {
			fprintf(stderr, "xtcp-tcgprof: unknown argument %s\n",
				argv[i]);
			return -EINVAL;
		}
	}
	if (!markfile || !outp) {
		fprintf(stderr, "xtcp-tcgprof: markfile=F,out=P needed\n");
		return -EINVAL;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit_dump, NULL);
	return 0;
}
