/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences. XTCP targets Debian's 6.1
 * now and 6.12 next; protocol code never tests LINUX_VERSION_CODE itself.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>

/*
 * 6.10 moved the protocol memory helpers (sk_memory_allocated(),
 * sk_under_memory_pressure(), ...) out of net/sock.h into their own header
 * (module/Kbuild defines XTCP_HAVE_PROTO_MEMORY_H when the tree has it).
 */
#ifdef XTCP_HAVE_PROTO_MEMORY_H
#include <net/proto_memory.h>
#endif

#endif /* _XTCP_COMPAT_H */
