/* SPDX-License-Identifier: MIT */
/* dhcp_nak.c: a DHCP server that only says no, left at the old gateway after a subnet change. */
#include <string.h>

#include "engine/dhcp_nak.h"

/* RFC 2131 message layout */
#define BOOTP_FIXED 236
#define DHCP_MAGIC_OFF BOOTP_FIXED
#define DHCP_OPTIONS_OFF (BOOTP_FIXED + 4)
#define BOOTREQUEST 1
#define BOOTREPLY 2
#define OPT_PAD 0
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_MESSAGE 56
#define OPT_END 255
#define DHCPREQUEST 3
#define DHCPNAK 6

static const uint8_t dhcp_magic[4] = { 99, 130, 83, 99 };
static const char nak_text[] = "network changed, restart DHCP";

/* the value of option 53, or 0 when absent or malformed */
static uint8_t dhcp_msg_type(const uint8_t *data, size_t len)
{
	size_t o = DHCP_OPTIONS_OFF;

	while (o < len) {
		uint8_t code = data[o];

		if (code == OPT_END)
			return 0;
		if (code == OPT_PAD) {
			o++;
			continue;
		}
		if (o + 2 > len || o + 2 + data[o + 1] > len)
			return 0;
		if (code == OPT_MSG_TYPE)
			return data[o + 1] == 1 ? data[o + 2] : 0;
		o += 2u + data[o + 1];
	}
	return 0;
}

size_t dhcp_nak_reply(void *opaque, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
		      const uint8_t *data, size_t len, uint8_t *reply, size_t cap)
{
	size_t o = DHCP_OPTIONS_OFF;

	(void)opaque;
	(void)src_ip;
	(void)src_port;
	(void)dst_port;
	if (len < DHCP_OPTIONS_OFF || data[0] != BOOTREQUEST || data[1] != 1 || data[2] != 6 ||
	    memcmp(data + DHCP_MAGIC_OFF, dhcp_magic, 4) != 0 || dhcp_msg_type(data, len) != DHCPREQUEST ||
	    cap < DHCP_OPTIONS_OFF + 3 + 6 + 2 + sizeof(nak_text) + 1)
		return 0;
	memset(reply, 0, DHCP_OPTIONS_OFF);
	reply[0] = BOOTREPLY;
	reply[1] = 1;
	reply[2] = 6;
	memcpy(reply + 4, data + 4, 4);    /* xid */
	memcpy(reply + 10, data + 10, 2);  /* flags */
	memcpy(reply + 24, data + 24, 4);  /* giaddr */
	memcpy(reply + 28, data + 28, 16); /* chaddr */
	memcpy(reply + DHCP_MAGIC_OFF, dhcp_magic, 4);
	reply[o++] = OPT_MSG_TYPE;
	reply[o++] = 1;
	reply[o++] = DHCPNAK;
	reply[o++] = OPT_SERVER_ID;
	reply[o++] = 4;
	memcpy(reply + o, &dst_ip, 4);
	o += 4;
	reply[o++] = OPT_MESSAGE;
	reply[o++] = sizeof(nak_text) - 1;
	memcpy(reply + o, nak_text, sizeof(nak_text) - 1);
	o += sizeof(nak_text) - 1;
	reply[o++] = OPT_END;
	return o;
}
