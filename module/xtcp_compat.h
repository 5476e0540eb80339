/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences. XTCP targets Debian's 6.1
 * now and 6.12 next; protocol code never tests LINUX_VERSION_CODE itself.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>

#endif /* _XTCP_COMPAT_H */
