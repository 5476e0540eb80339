/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences. XTCP targets Debian's 6.1
 * now and 6.12 next; protocol code never tests LINUX_VERSION_CODE itself.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>
#include <net/sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>

/* Does every owner of a Linux bind bucket (TIME-WAIT entries included)
 * pass @ok? 6.1 lists them on the bucket (and has a separate bhash2
 * death row, twsk_for_each_bound_bhash2); since 6.8 they hang off the
 * bucket's bhash2 entries.
 */
static inline bool xtcp_tb_owners_all(const struct inet_bind_bucket *tb,
				      bool (*ok)(const struct sock *sk))
{
	struct sock *sk;
#ifndef twsk_for_each_bound_bhash2
	const struct inet_bind2_bucket *tb2;

	hlist_for_each_entry(tb2, &tb->bhash2, bhash_node)
		sk_for_each_bound(sk, &tb2->owners)
			if (!ok(sk))
				return false;
#else
	sk_for_each_bound(sk, &tb->owners)
		if (!ok(sk))
			return false;
#endif
	return true;
}

#endif /* _XTCP_COMPAT_H */
