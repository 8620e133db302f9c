/* SPDX-License-Identifier: MIT */
/* web.c: look up the panel's embedded files by request path. */
#include "web.h"

#include <string.h>

const struct web_asset *web_find(const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < web_assets_count; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}
