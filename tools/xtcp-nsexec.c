// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-nsexec: what `ip netns exec NETNS CMD...` does for the guest test
 * scripts, in one small static binary. Under TCG every exec of a
 * dynamically linked program costs tens of milliseconds (the loader, its
 * libraries and locale files read over 9p), and `ip netns exec` is two
 * such execs; the scripts run thousands of commands in namespaces.
 *
 *   xtcp-nsexec NETNS CMD [ARG...]
 *       join the network namespace /run/netns/NETNS (or the path NETNS if
 *       it holds a '/'), remount /sys for it (as ip netns exec, so that
 *       /sys/class/net lists that namespace's devices), exec CMD
 *   xtcp-nsexec NETNS --cat FILE...
 *       print the FILEs as read in that namespace (/proc/net/...), with no
 *       second exec
 * Exit: CMD's status; 125 if the namespace cannot be joined, 126/127 if
 * CMD cannot be run (as env(1)), 1 if a FILE cannot be read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int join_netns(const char *name)
{
	char path[PATH_MAX];
	struct statvfs sv;
	unsigned long flags = 0;
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "xtcp-nsexec: netns %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	close(fd);
	/* a private mount namespace with this netns's sysfs, as iproute2 */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
		fprintf(stderr, "xtcp-nsexec: mount namespace: %s\n",
			strerror(errno));
		return -1;
	}
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	if (umount2("/sys", MNT_DETACH) == 0)
		mount(name, "/sys", "sysfs", flags, NULL);
	return 0;
}

static int cat_files(char **files)
{
	char buf[65536];
	int rc = 0;

	for (; *files; files++) {
		ssize_t n;
		int fd = open(*files, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "xtcp-nsexec: %s: %s\n", *files,
				strerror(errno));
			rc = 1;
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			ssize_t off = 0;

			while (off < n) {
				ssize_t w = write(1, buf + off, n - off);

				if (w < 0) {
					if (errno == EINTR)
						continue;
					close(fd);
					return 1;
				}
				off += w;
			}
		}
		if (n < 0)
			rc = 1;
		close(fd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
			"usage: xtcp-nsexec NETNS CMD [ARG...] | NETNS --cat FILE...\n");
		return 125;
	}
	if (join_netns(argv[1]) < 0)
		return 125;
	if (!strcmp(argv[2], "--cat"))
		return cat_files(argv + 3);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "xtcp-nsexec: %s: %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
