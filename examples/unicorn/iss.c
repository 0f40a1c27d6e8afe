/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffa-emu inside an instruction-set simulator: unmodified AArch64 machine
 * code (ffa_client.S) runs under Unicorn; its SMC and HVC instructions trap
 * to this program, which hands x0-x17 to an ffa-emu system and writes the
 * results back, as a virtual platform's firmware model would.
 *
 *   usage: unicorn-iss PROGRAM.bin [PROXY]      PROXY default "none"
 *
 * What Unicorn 2.0.1 does with the two conduits (measured):
 *  - `smc #imm` reaches the UC_HOOK_INTR hook as exception 13 with PC
 *    already past the instruction;
 *  - `hvc #imm` arrives as exception 1 (undefined instruction) with PC
 *    still on it, so the hook recognises the HVC encoding and steps over.
 * The guest's RAM is the system's own emulated RAM, mapped into Unicorn by
 * pointer, so RX/TX buffers the program writes are what the SPMC reads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include <ffa/ffa.h>
#include <ffa/spmc.h>
#include <ffa/system.h>

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x00200000ull /* 2 MiB: code, TX, RX */
#define STEP_LIMIT 100000u

/* QEMU's AArch64 exception numbers as Unicorn reports them. */
#define EXCP_UDEF 1
#define EXCP_BKPT 7
#define EXCP_SMC 13

/* A64 exception-generating instructions: imm16 in bits [20:5]. */
#define A64_EXC_MASK 0xffe0001fu
#define A64_HVC 0xd4000002u
#define A64_SMC 0xd4000003u

struct machine {
	struct ffaemu_system *sys;
	struct ffaemu_edge *smc;    /* the system's host edge */
	struct ffaemu_edge *hvc;    /* same callee, HVC conduit */
	unsigned traps;
	int stop_code;              /* brk immediate, or -1 for an unexpected exception */
	bool stopped;
};

static const char *fid_name(uint64_t x0)
{
	const char *n = ffaemu_smccc_fid_name((uint32_t)x0);

	return n ? n : "?";
}

/* x0-x17 in, the call, x0-x17 back. */
static void conduit(uc_engine *uc, struct machine *m, struct ffaemu_edge *edge, uint16_t imm,
		    const char *insn)
{
	struct ffaemu_call_ctx ctx;
	struct ffaemu_regs r;
	uint64_t fid;

	for (int n = 0; n < FFAEMU_NREGS; n++)
		uc_reg_read(uc, UC_ARM64_REG_X0 + n, &r.x[n]);
	fid = r.x[0];
	/* the guest kernel: FF-A ID 0 at NS EL1 */
	memset(&ctx, 0, sizeof(ctx));
	ctx.caller = 0;
	ctx.el = 1;
	ctx.instance = FFAEMU_INSTANCE_NP;
	ctx.imm = imm;
	ffaemu_edge_call(edge, &r, &ctx);
	for (int n = 0; n < FFAEMU_NREGS; n++)
		uc_reg_write(uc, UC_ARM64_REG_X0 + n, &r.x[n]);
	m->traps++;
	printf("  %s #%u  %-28s -> x0=%#" PRIx64 " x2=%#" PRIx64 " x3=%#" PRIx64 "\n", insn,
	       (unsigned)imm, fid_name(fid), r.x[0], r.x[2], r.x[3]);
}

static void on_exception(uc_engine *uc, uint32_t intno, void *user)
{
	struct machine *m = user;
	uint64_t pc;
	uint32_t insn = 0;

	uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
	switch (intno) {
	case EXCP_SMC:
		/* PC is past the SMC: the instruction is at PC - 4 */
		if (uc_mem_read(uc, pc - 4, &insn, sizeof(insn)) == UC_ERR_OK &&
		    (insn & A64_EXC_MASK) == A64_SMC) {
			conduit(uc, m, m->smc, (uint16_t)(insn >> 5), "smc");
			return;
		}
		break;
	case EXCP_UDEF:
		/* PC is on the instruction; an HVC is ours to emulate, then step over it */
		if (uc_mem_read(uc, pc, &insn, sizeof(insn)) == UC_ERR_OK &&
		    (insn & A64_EXC_MASK) == A64_HVC) {
			conduit(uc, m, m->hvc, (uint16_t)(insn >> 5), "hvc");
			pc += 4;
			uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
			return;
		}
		break;
	case EXCP_BKPT:
		if (uc_mem_read(uc, pc, &insn, sizeof(insn)) != UC_ERR_OK)
			uc_mem_read(uc, pc - 4, &insn, sizeof(insn));
		m->stop_code = (int)((insn >> 5) & 0xffff);
		m->stopped = true;
		uc_emu_stop(uc);
		return;
	default:
		break;
	}
	fprintf(stderr, "unexpected exception %u at pc %#" PRIx64 " (insn %#x)\n", intno, pc, insn);
	m->stop_code = -1;
	m->stopped = true;
	uc_emu_stop(uc);
}

static int load(const char *path, void *dst, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	*len = fread(dst, 1, max, f);
	fclose(f);
	return *len ? 0 : -1;
}

/* The secure side: one echo partition that takes DIRECT_REQ2 (v1.2). */
static int add_partition(struct ffaemu_system *sys)
{
	struct ffaemu_sp_config sp;
	int rc = ffaemu_sp_config_builtin(&sp, FFAEMU_SP_ECHO, 0x8001);

	if (rc)
		return rc;
	sp.name = "echo";
	sp.props |= FFAEMU_SP_PROP_DIRECT_REQ_RECV | FFAEMU_SP_PROP_DIRECT_REQ2_RECV;
	return ffaemu_spmc_add_sp(ffaemu_system_spmc(sys), &sp);
}

int main(int argc, char **argv)
{
	struct ffaemu_system_config cfg;
	struct ffaemu_edge_config ecfg;
	struct machine m;
	uc_engine *uc = NULL;
	uc_hook hook;
	void (*fn)(uc_engine *, uint32_t, void *) = on_exception;
	void *cb;
	uc_err err;
	void *ram;
	size_t len;
	uint64_t x26 = 0, x27 = 0, x28 = ~0ull, pc = RAM_BASE;
	char ver[16];
	int rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM.bin [PROXY]\n", argv[0]);
		return 2;
	}
	memset(&m, 0, sizeof(m));
	ffaemu_system_config_default(&cfg);
	cfg.proxy = argc > 2 ? argv[2] : "none";
	cfg.ram_base = RAM_BASE;
	cfg.ram_size = RAM_SIZE;
	if (ffaemu_system_new(&cfg, &m.sys) || add_partition(m.sys)) {
		fprintf(stderr, "cannot build the ffa-emu system (proxy %s)\n", cfg.proxy);
		goto out;
	}
	m.smc = ffaemu_system_host_edge(m.sys);
	ffaemu_edge_config_default(&ecfg);
	ecfg.name = "guest-hvc";
	ecfg.conduit = FFAEMU_CONDUIT_HVC;
	ecfg.smccc_version = ffaemu_edge_get_config(m.smc)->smccc_version;
	if (ffaemu_edge_new(&ecfg, ffaemu_edge_callee(m.smc), &m.hvc))
		goto out;
	/* the guest sees the system's RAM: one memory, two views */
	if (ffaemu_mem_ptr(ffaemu_system_mem(m.sys), RAM_BASE, RAM_SIZE, &ram) ||
	    load(argv[1], ram, 0x10000, &len))
		goto out;

	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc);
	if (err == UC_ERR_OK)
		err = uc_mem_map_ptr(uc, RAM_BASE, RAM_SIZE, UC_PROT_ALL, ram);
	/* uc_hook_add takes the callback as void *; ISO C converts only by bytes */
	memcpy(&cb, &fn, sizeof(cb));
	if (err == UC_ERR_OK)
		err = uc_hook_add(uc, &hook, UC_HOOK_INTR, cb, &m, 1, 0);
	if (err == UC_ERR_OK)
		err = uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
	if (err != UC_ERR_OK) {
		fprintf(stderr, "unicorn: %s\n", uc_strerror(err));
		goto out;
	}
	printf("unicorn-iss: %zu bytes of AArch64 code at %#llx, proxy %s\n", len,
	       (unsigned long long)RAM_BASE, ffaemu_system_proxy_name(m.sys));
	err = uc_emu_start(uc, RAM_BASE, RAM_BASE + RAM_SIZE, 0, STEP_LIMIT);
	if (err != UC_ERR_OK && !m.stopped) {
		fprintf(stderr, "unicorn: %s\n", uc_strerror(err));
		goto out;
	}
	uc_reg_read(uc, UC_ARM64_REG_X26, &x26);
	uc_reg_read(uc, UC_ARM64_REG_X27, &x27);
	uc_reg_read(uc, UC_ARM64_REG_X28, &x28);
	printf("program stopped: brk #%d after %u conduit calls; x28=%" PRIu64
	       " (0 = all steps passed), partition %#" PRIx64 ", FF-A version %s\n",
	       m.stop_code, m.traps, x28, x27, ffaemu_version_format((uint32_t)x26, ver, sizeof(ver)));
	rc = (m.stopped && m.stop_code == 0 && x28 == 0) ? 0 : 1;
	printf("%s\n", rc ? "FAIL" : "PASS");
out:
	if (uc)
		uc_close(uc);
	ffaemu_edge_free(&m.hvc);
	ffaemu_system_free(&m.sys);
	return rc;
}
