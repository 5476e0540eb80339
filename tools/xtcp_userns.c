// SPDX-License-Identifier: GPL-2.0
/*
 * Run a command as an unprivileged user inside a user + network namespace
 * that user made itself, as `setpriv --reuid UID unshare -Urn` would. The
 * guests run their tests chrooted (scripts/vm), and the kernel refuses a
 * new user namespace to a chrooted process (EPERM, current_chrooted()):
 * so, as root, a child first takes PID 1's root (the namespace's own),
 * drops to @uid, unshares user, mount and network namespaces, and once the
 * parent has mapped @uid to root there (as newuidmap does) returns to the
 * test's root. The command then runs with root's capabilities over the new
 * netns only.
 * usage: xtcp_userns UID CMD [ARG...]   (run as root)
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/wait.h>

static void die(const char *what)
{
	fprintf(stderr, "xtcp_userns: %s: %s\n", what, strerror(errno));
	exit(125);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

/* the child's side: out of the chroot, down to @uid, new namespaces */
static void child(uid_t uid, int home, int ready, int mapped, char **cmd)
{
	char c;

	if (chroot("/proc/1/root") || chdir("/"))
		die("chroot /proc/1/root");
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		die("drop to uid");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET))
		die("unshare");
	/* root writes the maps, as newuidmap(1) would */
	if (write(ready, "u", 1) != 1 || read(mapped, &c, 1) != 1)
		die("sync");
	/* root of the new user namespace, which owns the new mount ns */
	if (fchdir(home) || chroot(".") || chdir("/"))
		die("back to the test's root");
	close(home);
	execvp(cmd[0], cmd);
	die(cmd[0]);
}

int main(int argc, char **argv)
{
	int home, up[2], down[2], st;
	char map[64], path[64], c;
	pid_t pid;
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: xtcp_userns UID CMD [ARG...]\n");
		return 2;
	}
	uid = (uid_t)atoi(argv[1]);
	home = open("/", O_RDONLY | O_DIRECTORY);
	if (home < 0 || pipe(up) || pipe(down))
		die("setup");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(up[0]);
		close(down[1]);
		child(uid, home, up[1], down[0], argv + 2);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1) {
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", uid);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	write_file(path, map);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	write_file(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	write_file(path, map);
	if (write(down[1], "m", 1) != 1)
		die("sync");
	if (waitpid(pid, &st, 0) < 0)
		die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
