// SPDX-License-Identifier: GPL-2.0
/*
 * faulty.ko - a deliberately broken module proving that the debug guest's
 * detectors fire (scripts/test-detectors). Never load it anywhere else.
 *
 *   mode=none  load cleanly (the control case)
 *   mode=uaf   read a kmalloc'ed buffer after kfree: KASAN must report
 *   mode=leak  kmalloc buffers and drop every pointer: kmemleak must report
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "none";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "none, uaf or leak");

static noinline int faulty_uaf(void)
{
	volatile char *p = kmalloc(64, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	p[3] = 'x';
	kfree((void *)p);
	c = p[3];		/* use after free */
	pr_info("faulty: read %d after free\n", c);
	return 0;
}

static noinline int faulty_leak(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		char *p = kmalloc(256, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		memset(p, 0x5a, 256);	/* no pointers inside: nothing keeps others alive */
	}
	pr_info("faulty: leaked 8 objects of 256 bytes\n");
	return 0;
}

static int __init faulty_init(void)
{
	if (!strcmp(mode, "uaf"))
		return faulty_uaf();
	if (!strcmp(mode, "leak"))
		return faulty_leak();
	if (strcmp(mode, "none"))
		return -EINVAL;
	pr_info("faulty: clean load\n");
	return 0;
}

static void __exit faulty_exit(void)
{
}

module_init(faulty_init);
module_exit(faulty_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XTCP detector self-test: deliberately faulty module");
