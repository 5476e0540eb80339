// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bpfsk: what a BPF program sees of the sockets whose packets leave
 * the host. Loads (raw bpf(2), no libbpf) a cgroup-skb egress program on
 * the cgroup2 root that, for every packet with a full socket, calls
 * bpf_tcp_sock() and counts how often it returned a tcp_sock and how
 * often NULL; runs CMD; prints "fullsock=N tcp_sock=M not_tcp=K".
 * An XTCP socket is not a tcp_sock: its packets must count in not_tcp.
 *
 *   xtcp_bpfsk CGROUP2_DIR CMD...
 * Exit: 0 done, 1 CMD failed, 4 BPF not available here (skip).
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
	.src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX_DW(d, s, o)	INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX_W(d, s, o)	INSN(BPF_STX | BPF_MEM | BPF_W, d, s, o, 0)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define XADD_DW(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static uint64_t map_get(int map, uint32_t key)
{
	union bpf_attr a;
	uint64_t v = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&v;
	sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
	return v;
}

int main(int argc, char **argv)
{
	static char log[65536];
	union bpf_attr a;
	int map, prog, cg, st;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: xtcp_bpfsk CGROUP2_DIR CMD...\n");
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 2;
	map = sys_bpf(BPF_MAP_CREATE, &a);
	if (map < 0) {
		printf("bpf=unavailable map:%s\n", ename(errno));
		return 4;
	}
	{
		struct bpf_insn p[] = {
			MOV64_REG(6, 1),
			LDX_DW(1, 6, offsetof(struct __sk_buff, sk)),
			JEQ_IMM(1, 0, 16),		/* no socket */
			CALL(BPF_FUNC_sk_fullsock),
			JEQ_IMM(0, 0, 14),
			MOV64_REG(1, 0),
			CALL(BPF_FUNC_tcp_sock),
			MOV64_IMM(7, 0),		/* key 0: NULL */
			JEQ_IMM(0, 0, 1),
			MOV64_IMM(7, 1),		/* key 1: a tcp_sock */
			STX_W(10, 7, -4),
			INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD,
			     0, map),
			INSN(0, 0, 0, 0, 0),
			MOV64_REG(2, 10),
			ADD64_IMM(2, -4),
			CALL(BPF_FUNC_map_lookup_elem),
			JEQ_IMM(0, 0, 2),
			MOV64_IMM(1, 1),
			XADD_DW(0, 1, 0),
			MOV64_IMM(0, 1),		/* let the packet go */
			EXIT(),
		};

		memset(&a, 0, sizeof(a));
		a.prog_type = BPF_PROG_TYPE_CGROUP_SKB;
		a.expected_attach_type = BPF_CGROUP_INET_EGRESS;
		a.insns = (uintptr_t)p;
		a.insn_cnt = sizeof(p) / sizeof(p[0]);
		a.license = (uintptr_t)"GPL";
		a.log_buf = (uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		prog = sys_bpf(BPF_PROG_LOAD, &a);
		if (prog < 0) {
			printf("bpf=unavailable load:%s\n", ename(errno));
			fprintf(stderr, "%s\n", log);
			return 4;
		}
	}
	cg = open(argv[1], O_RDONLY | O_DIRECTORY);
	memset(&a, 0, sizeof(a));
	a.target_fd = cg;
	a.attach_bpf_fd = prog;
	a.attach_type = BPF_CGROUP_INET_EGRESS;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (cg < 0 || sys_bpf(BPF_PROG_ATTACH, &a)) {
		printf("bpf=unavailable attach:%s\n", ename(errno));
		return 4;
	}
	pid = fork();
	if (!pid) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	sys_bpf(BPF_PROG_DETACH, &a);
	printf("fullsock=%llu tcp_sock=%llu not_tcp=%llu cmd_rc=%d\n",
	       (unsigned long long)(map_get(map, 0) + map_get(map, 1)),
	       (unsigned long long)map_get(map, 1),
	       (unsigned long long)map_get(map, 0),
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
}
