/* SPDX-License-Identifier: MIT */
/* indy-nic.c: an emulator's side of the SEEQ 8003 model: guest memory, interrupt, driver-style registers, NAT, DHCP. */

/*
 * What an Indy emulator does to get a network, in miniature:
 *   - give the model its guest memory (a flat big-endian array here) and an
 *     interrupt callback;
 *   - forward the CPU's accesses to the HPC3 Ethernet registers (here the
 *     "driver" below calls seeq_reg_read/seeq_reg_write directly, as the
 *     emulated IRIX or Linux kernel would through the emulator's MMIO path);
 *   - let the library's pump thread move frames.
 * The program sends a DHCP DISCOVER through the TX descriptors and prints
 * the OFFER that libslirp, inside the NAT engine, sends back.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <indynet/indynet.h>
#include <indynet/seeq8003.h>

#define MEM_SIZE (4u << 20)
#define RX_RING 16u
#define BUF_SIZE 1584u
#define RX_DESC 0x10000u                           /* 16 RX descriptors */
#define TX_DESC (RX_DESC + RX_RING * SEEQ_DESC_SIZE) /* 1 TX descriptor */
#define RX_BUF 0x20000u
#define TX_BUF (RX_BUF + RX_RING * BUF_SIZE)

struct guest {
	uint8_t *ram;                 /* guest physical memory, big-endian */
	pthread_mutex_t bus;          /* the memory bus: CPU accesses and the NIC's DMA one at a time */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool irq;                     /* the Ethernet interrupt line */
};

static const uint8_t mac[6] = { 0x08, 0x00, 0x69, 0x0e, 0xaf, 0x42 };

/* ---- the emulator's callbacks ---- */

static int mem_read(void *opaque, uint32_t pa, void *buf, size_t len)
{
	struct guest *g = opaque;

	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return -1;
	pthread_mutex_lock(&g->bus);
	memcpy(buf, g->ram + pa, len);
	pthread_mutex_unlock(&g->bus);
	return 0;
}

static int mem_write(void *opaque, uint32_t pa, const void *buf, size_t len)
{
	struct guest *g = opaque;

	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return -1;
	pthread_mutex_lock(&g->bus);
	memcpy(g->ram + pa, buf, len);
	pthread_mutex_unlock(&g->bus);
	return 0;
}

static void set_irq(void *opaque, bool level)
{
	struct guest *g = opaque;

	pthread_mutex_lock(&g->lock);
	g->irq = level;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* ---- big-endian guest memory helpers ---- */

static void put32(struct guest *g, uint32_t pa, uint32_t v)
{
	uint8_t *p = g->ram + pa;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* a descriptor written by the CPU, on the bus (the pump thread may be reading the ring) */
static void put_desc(struct guest *g, uint32_t pa, uint32_t buf, uint32_t cnt, uint32_t next)
{
	pthread_mutex_lock(&g->bus);
	put32(g, pa, buf);
	put32(g, pa + 4, cnt);
	put32(g, pa + 8, next);
	pthread_mutex_unlock(&g->bus);
}

/* ---- a tiny guest driver ---- */

static void drv_open(seeq *s, struct guest *g)
{
	seeq_reg_write(s, SEEQ_HPC3_RESET, SEEQ_RESET_CHANNEL | SEEQ_RESET_CLRINT, 4);
	seeq_reg_write(s, SEEQ_HPC3_RESET, 0, 4);
	seeq_reg_write(s, SEEQ_HPC3_EDLC_REG(SEEQ_REG_TX), SEEQ_TXC_BANK0, 4);
	for (unsigned i = 0; i < 6; i++)
		seeq_reg_write(s, SEEQ_HPC3_EDLC_REG(i), mac[i], 4);
	for (unsigned i = 0; i < RX_RING; i++)
		put_desc(g, RX_DESC + i * SEEQ_DESC_SIZE, RX_BUF + i * BUF_SIZE, SEEQ_DESC_OWN | BUF_SIZE,
			 RX_DESC + ((i + 1) % RX_RING) * SEEQ_DESC_SIZE);
	seeq_reg_write(s, SEEQ_HPC3_EDLC_REG(SEEQ_REG_TX), SEEQ_TXC_GOOD, 4);
	seeq_reg_write(s, SEEQ_HPC3_EDLC_REG(SEEQ_REG_RX), SEEQ_RXC_MATCH_BCAST | SEEQ_RXC_EOF, 4);
	seeq_reg_write(s, SEEQ_HPC3_RX_NBDP, RX_DESC, 4);
	seeq_reg_write(s, SEEQ_HPC3_RX_CTRL, SEEQ_CTRL_ACTIVE, 4);
}

static void drv_send(seeq *s, struct guest *g, const uint8_t *frame, size_t len)
{
	pthread_mutex_lock(&g->bus);
	memcpy(g->ram + TX_BUF, frame, len);
	pthread_mutex_unlock(&g->bus);
	put_desc(g, TX_DESC, TX_BUF, (uint32_t)len | SEEQ_DESC_EOP | SEEQ_DESC_EOX, 0);
	seeq_reg_write(s, SEEQ_HPC3_TX_NBDP, TX_DESC, 4);
	seeq_reg_write(s, SEEQ_HPC3_TX_CTRL, SEEQ_CTRL_ACTIVE, 4);
}

static size_t dhcp_discover(uint8_t *f, uint32_t xid)
{
	static const uint8_t opts[] = { 0x63, 0x82, 0x53, 0x63, 53, 1, 1, 55, 3, 1, 3, 6, 255 };
	uint8_t *ip = f + 14, *udp = f + 34, *bootp = f + 42;
	size_t blen = 300;
	uint32_t sum = 0;

	memset(f, 0, 42 + blen);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + blen) >> 8);
	ip[3] = (uint8_t)(20 + 8 + blen);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)((8 + blen) >> 8);
	udp[5] = (uint8_t)(8 + blen);
	bootp[0] = 1;
	bootp[1] = 1;
	bootp[2] = 6;
	bootp[4] = (uint8_t)(xid >> 24);
	bootp[5] = (uint8_t)(xid >> 16);
	bootp[6] = (uint8_t)(xid >> 8);
	bootp[7] = (uint8_t)xid;
	memcpy(bootp + 28, mac, 6);
	memcpy(bootp + 236, opts, sizeof(opts));
	return 42 + blen;
}

static void print_ip(const char *what, const uint8_t *p)
{
	printf("  %-10s %u.%u.%u.%u\n", what, p[0], p[1], p[2], p[3]);
}

/* Return true when @f (an Ethernet frame) is the DHCP OFFER for @xid; print it. */
static bool show_offer(const uint8_t *f, size_t len, uint32_t xid)
{
	const uint8_t *b = f + 42, *o;

	if (len < 42 + 240 || f[12] != 0x08 || f[13] != 0 || f[23] != 17 || f[36] != 0 || f[37] != 68)
		return false;
	if (b[0] != 2 || get32(b + 4) != xid)
		return false;
	printf("DHCP OFFER from %02x:%02x:%02x:%02x:%02x:%02x\n", f[6], f[7], f[8], f[9], f[10], f[11]);
	print_ip("address", b + 16);
	for (o = b + 240; o + 2 <= f + len && o[0] != 255; o += o[0] ? 2 + o[1] : 1) {
		if (o[0] == 0 || o + 2 + o[1] > f + len)
			continue;
		if (o[0] == 1 && o[1] == 4)
			print_ip("netmask", o + 2);
		else if (o[0] == 3 && o[1] >= 4)
			print_ip("router", o + 2);
		else if (o[0] == 6 && o[1] >= 4)
			print_ip("dns", o + 2);
		else if (o[0] == 51 && o[1] == 4)
			printf("  %-10s %u s\n", "lease", get32(o + 2));
	}
	return true;
}

/* The interrupt handler: acknowledge, walk the RX ring, recycle descriptors. */
static bool drv_isr(seeq *s, struct guest *g, unsigned *next, uint32_t xid)
{
	bool found = false;

	seeq_reg_write(s, SEEQ_HPC3_RESET, SEEQ_RESET_CLRINT, 4);
	pthread_mutex_lock(&g->bus);
	for (;;) {
		uint32_t d = RX_DESC + *next * SEEQ_DESC_SIZE;
		uint32_t cnt = get32(g->ram + d + 4);
		size_t len = BUF_SIZE - (cnt & SEEQ_DESC_BCNT) - 3;
		const uint8_t *buf = g->ram + RX_BUF + *next * BUF_SIZE;

		if (cnt & SEEQ_DESC_OWN)
			break;
		if (buf[2 + len] & SEEQ_RXS_GOOD)
			found = show_offer(buf + 2, len, xid) || found;
		put32(g, d + 4, SEEQ_DESC_OWN | BUF_SIZE);
		*next = (*next + 1) % RX_RING;
	}
	pthread_mutex_unlock(&g->bus);
	return found;
}

int main(void)
{
	struct guest g = { .bus = PTHREAD_MUTEX_INITIALIZER, .lock = PTHREAD_MUTEX_INITIALIZER,
			   .cond = PTHREAD_COND_INITIALIZER };
	const struct seeq_host_ops ops = { mem_read, mem_write, set_irq };
	struct indynet_config cfg;
	indynet_engine *e;
	char err[256] = "";
	uint8_t frame[400];
	unsigned next = 0;
	uint32_t xid = 0x1d1e5ee0;
	bool offered = false;
	seeq *s;

	g.ram = calloc(1, MEM_SIZE);
	indynet_config_init(&cfg);
	if (!g.ram || indynet_engine_new(&cfg, &e, err, sizeof(err)) != 0 || indynet_engine_start(e) != 0) {
		fprintf(stderr, "indy-nic: engine: %s\n", err[0] ? err : "failed");
		return 1;
	}
	s = seeq_new(&ops, &g, e);
	if (!s || seeq_start_thread(s) != 0) {
		fprintf(stderr, "indy-nic: cannot start the NIC model\n");
		return 1;
	}
	seeq_set_mem_limit(s, MEM_SIZE);
	drv_open(s, &g);
	drv_send(s, &g, frame, dhcp_discover(frame, xid));
	printf("DHCP DISCOVER sent from %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);

	struct timespec end;
	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += 5;
	pthread_mutex_lock(&g.lock);
	while (!offered) {
		while (!g.irq && pthread_cond_timedwait(&g.cond, &g.lock, &end) != ETIMEDOUT)
			;
		if (!g.irq)
			break;
		pthread_mutex_unlock(&g.lock);
		offered = drv_isr(s, &g, &next, xid);
		pthread_mutex_lock(&g.lock);
	}
	pthread_mutex_unlock(&g.lock);

	struct seeq_counters c;
	seeq_counters(s, &c);
	printf("nic: tx %llu frames, rx %llu delivered, %llu filtered\n", (unsigned long long)c.tx_frames,
	       (unsigned long long)c.rx_delivered, (unsigned long long)c.rx_filtered);
	seeq_free(s);
	indynet_engine_free(e);
	free(g.ram);
	if (!offered)
		fprintf(stderr, "indy-nic: no DHCP OFFER within 5 s\n");
	return offered ? 0 : 1;
}
