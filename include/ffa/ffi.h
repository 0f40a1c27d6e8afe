/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conduit adapters and plug-ins, made at run time with libffi.
 *
 * Every FF-A codebase reaches its SMC/HVC through a function of its own
 * signature. An *adapter* is a libffi closure with exactly that signature,
 * bound to one endpoint (a struct ffaemu_call_ctx) calling through one
 * conduit edge: the client's unmodified code calls the pointer and the call
 * goes through the edge's SMCCC contract and observers. A *foreign node*
 * goes the other way: the library calls a user's function of any shape
 * (ffi_call) as a node, which is how plug-ins in shared objects join the
 * wiring. Neither keeps global state: any number of adapters, nodes and
 * systems coexist in one process.
 *
 * SHAPES
 * ------
 * A shape says how the registers x0-x17 travel through a C signature. It
 * is written as a string (or filled in as struct ffaemu_ffi_shape):
 *
 *     shape  := ret '(' [ 'void' | param { ',' param } ] ')'  |  preset-name
 *     ret    := 'void' | scalar [ reg ] | agg
 *     param  := scalar [ reg ] | agg [ dir ] | agg '*' [ dir ] | 'void' '*' [ dir ]
 *     scalar := 'u64' | 'uint64_t' | 'ulong' | 'u32' | 'uint32_t'   (ulong: LP64 hosts)
 *     agg    := 'struct' N [ 'b' ]         N = 1..18 registers of 64 bits
 *     reg    := 'x' K                      K = 0..17
 *     dir    := 'in' | 'out' | 'inout'
 *
 *  - `structN` is a C struct of N uint64_t members standing for x0..x(N-1)
 *    (`struct ffaemu_regs` is struct18). `structNb` has a trailing bool after
 *    the N registers (Hafnium's struct ffa_value: 18 x u64 + bool, 152
 *    bytes). On input the bool is ignored; on output it is true when the
 *    call used the SMC64 convention under SMCCC 1.2+, i.e. x8-x17 carry
 *    results (DEN0028 1.2 s2.6, spec A7).
 *  - A struct passed by value is an input (`in`, the only direction
 *    allowed). A struct pointer defaults to `inout`; `in` pointers are only
 *    read, `out` pointers only written. `void*` is struct18*.
 *  - A scalar parameter is one argument register: x0 for the first scalar
 *    without `xK`, then the register after the previous scalar. u32 reads
 *    the low 32 bits and zero-extends (a W register write, spec A8).
 *  - The return value: `void`; a scalar (x0 unless `xK`); or structN[b],
 *    the results x0..x(N-1).
 *  - Registers no input names start as 0; when two inputs name the same
 *    register, the later parameter wins. Results go to every out/inout
 *    pointer and the return value. A NULL in pointer reads as zeros; a NULL
 *    out pointer is skipped.
 *  - Whitespace is free; names are case-sensitive; "const" is ignored, so a
 *    C prototype's spelling `const struct18* in` is accepted.
 *
 * Presets (ffaemu_ffi_preset_shape()) name the signatures of known
 * codebases, e.g. "linux" = "void(struct18 in, struct18* out)".
 *
 * INSERTING A USER NODE
 * ---------------------
 * A foreign node or a plug-in is an ordinary struct ffaemu_node: wire it
 * with the same calls as any node. As the proxy of a whole system:
 *
 *     struct ffaemu_plugin_config pc;
 *     ffaemu_plugin_config_default(&pc);
 *     pc.down = ffaemu_system_proxy_edge(sys);     // its SMC towards EL3
 *     ffaemu_plugin_load("./libmyproxy.so:my_handler:linux-regs", &pc, &node);
 *     ffaemu_system_set_proxy_node(sys, node);     // host -> node -> EL3
 *
 * In front of any layer: ffaemu_system_insert_node(sys, point, node, &next)
 * gives the edge the node forwards to (ffaemu_plugin_set_down(node, next,
 * NULL) for a plug-in). Without a system: ffaemu_edge_new(cfg, node, &e)
 * or ffaemu_edge_set_callee(e, node). The wiring does not own the node;
 * unwire it before ffaemu_node_free().
 */
#ifndef FFAEMU_FFI_H
#define FFAEMU_FFI_H

#include <ffa/common.h>
#include <ffa/conduit.h>
#include <ffa/node.h>
#include <ffa/regs.h>

FFAEMU_BEGIN_DECLS

/* ---- Register structs of the ready-made signatures ---- */

/* Hafnium's struct ffa_value: x0-x17 then a bool (152 bytes on LP64). */
struct ffaemu_ffi_regs18b {
	uint64_t x[FFAEMU_NREGS];
	bool extended; /* x8-x17 carry values (SMC64 under SMCCC 1.2+) */
};

/* Eight-register shapes (Trusted Services, Trusty, OP-TEE): x0-x7. */
struct ffaemu_ffi_regs8 {
	uint64_t x[8];
};

/* Typed pointers for the presets (cast the result of ffaemu_ffi_adapter_fn()). */
/* "linux": Linux arm_ffa invoke_ffa_fn, U-Boot. */
typedef void (*ffaemu_ffi_linux_fn)(struct ffaemu_regs args, struct ffaemu_regs *res);
/* "linux-regs": Linux arm_smccc_1_2_smc/hvc, Xen arm_smccc_1_2_smc. */
typedef void (*ffaemu_ffi_linux_regs_fn)(const struct ffaemu_regs *args, struct ffaemu_regs *res);
/* "acs": the Arm FF-A ACS Linux-app PAL, in and out through one pointer. */
typedef void (*ffaemu_ffi_acs_fn)(void *args);
/* "tftf": TF-A tests, in/out through the pointer, returns x0. */
typedef uint64_t (*ffaemu_ffi_tftf_fn)(struct ffaemu_regs *args);
/* "hafnium": by value both ways. */
typedef struct ffaemu_ffi_regs18b (*ffaemu_ffi_hafnium_fn)(struct ffaemu_ffi_regs18b args);
/* "edk2": ArmFfaLib ArmCallSmc(ARM_SMC_ARGS *), 18 UINTN in/out. */
typedef void (*ffaemu_ffi_edk2_fn)(struct ffaemu_regs *args);
/* "ts": Trusted Services libsp, eight registers in, results through a pointer. */
typedef void (*ffaemu_ffi_ts_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				 uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
				 struct ffaemu_ffi_regs8 *res);
/* "trusty": struct smc_ret8 smc8(ulong r0..r7). */
typedef struct ffaemu_ffi_regs8 (*ffaemu_ffi_trusty_fn)(unsigned long r0, unsigned long r1,
						       unsigned long r2, unsigned long r3,
						       unsigned long r4, unsigned long r5,
						       unsigned long r6, unsigned long r7);
/* "args8": OP-TEE style, eight registers in and out through one pointer. */
typedef void (*ffaemu_ffi_args8_fn)(struct ffaemu_ffi_regs8 *args);

/* Any function pointer; cast to the typed one of the shape. */
typedef void (*ffaemu_ffi_fn)(void);

/* ---- Shapes ---- */

#define FFAEMU_FFI_MAX_PARAMS 24

enum ffaemu_ffi_kind {
	FFAEMU_FFI_VOID = 0,   /* return only */
	FFAEMU_FFI_U64 = 1,    /* one register, 64 bits (also ulong on LP64) */
	FFAEMU_FFI_U32 = 2,    /* one register, low 32 bits */
	FFAEMU_FFI_STRUCT = 3, /* structN[b] by value */
	FFAEMU_FFI_PTR = 4     /* pointer to structN[b] */
};

enum ffaemu_ffi_dir {
	FFAEMU_FFI_IN = 1,
	FFAEMU_FFI_OUT = 2,
	FFAEMU_FFI_INOUT = 3
};

struct ffaemu_ffi_item {
	uint8_t kind;  /* enum ffaemu_ffi_kind */
	uint8_t dir;   /* enum ffaemu_ffi_dir (structs and pointers; scalars are IN) */
	uint8_t reg;   /* scalars: the register xN */
	uint8_t nregs; /* structs and pointers: 1..18 registers from x0 */
	bool tail_bool; /* structs and pointers: a bool follows the registers */
};

struct ffaemu_ffi_shape {
	size_t size;              /* sizeof(struct ffaemu_ffi_shape) */
	struct ffaemu_ffi_item ret;
	uint32_t nparams;         /* 0..FFAEMU_FFI_MAX_PARAMS */
	struct ffaemu_ffi_item params[FFAEMU_FFI_MAX_PARAMS];
};

/*
 * Parse a shape string or preset name into out. FFAEMU_EPARSE (with the
 * byte offset of the error in *err_pos if non-NULL) or FFAEMU_EINVAL (the
 * shape is well-formed but invalid: see ffaemu_ffi_shape_check()).
 */
FFAEMU_API int ffaemu_ffi_shape_parse(const char *text, struct ffaemu_ffi_shape *out,
				      size_t *err_pos);
/*
 * Check a shape: kinds and directions valid, registers in range, at least
 * one result (a return value or an out/inout pointer), by-value structs
 * are inputs. 0 or FFAEMU_EINVAL.
 */
FFAEMU_API int ffaemu_ffi_shape_check(const struct ffaemu_ffi_shape *shape);
/* Canonical text of a shape into buf; returns the length snprintf would write, or <0. */
FFAEMU_API int ffaemu_ffi_shape_format(const struct ffaemu_ffi_shape *shape, char *buf,
				       size_t len);
/* The shape string of a preset ("linux", "hafnium", ...), or NULL. */
FFAEMU_API const char *ffaemu_ffi_preset_shape(const char *name);
/* Presets by index (0..count-1): name and shape string; NULL past the end. */
FFAEMU_API size_t ffaemu_ffi_preset_count(void);
FFAEMU_API const char *ffaemu_ffi_preset_name(size_t index, const char **shape);

/* ---- Adapters: a function pointer of the caller's signature -> an edge ---- */

struct ffaemu_ffi_adapter;

/*
 * Make a closure of `shape` that calls ffaemu_edge_call(edge, regs, ctx).
 * ctx (copied; NULL = caller 0, NS physical, EL1) names the endpoint; the
 * edge sets conduit and SMCCC version. edge may be NULL (set it later); a
 * call with no edge answers SMCCC NOT_SUPPORTED in x0 (spec A10).
 */
FFAEMU_API int ffaemu_ffi_adapter_new(const struct ffaemu_ffi_shape *shape,
				      struct ffaemu_edge *edge, const struct ffaemu_call_ctx *ctx,
				      const struct ffaemu_allocator *alloc,
				      struct ffaemu_ffi_adapter **out);
/* The same from a shape string or preset name. */
FFAEMU_API int ffaemu_ffi_adapter_new_str(const char *shape, struct ffaemu_edge *edge,
					  const struct ffaemu_call_ctx *ctx,
					  const struct ffaemu_allocator *alloc,
					  struct ffaemu_ffi_adapter **out);
/* Frees the closure too. Accepts NULL; clears *adapter. */
FFAEMU_API void ffaemu_ffi_adapter_free(struct ffaemu_ffi_adapter **adapter);
/* The function pointer (valid until the adapter is freed). */
FFAEMU_API ffaemu_ffi_fn ffaemu_ffi_adapter_fn(const struct ffaemu_ffi_adapter *adapter);
/* Rebind: another edge (NULL = none) and/or endpoint (ctx NULL = keep). */
FFAEMU_API void ffaemu_ffi_adapter_bind(struct ffaemu_ffi_adapter *adapter,
					struct ffaemu_edge *edge,
					const struct ffaemu_call_ctx *ctx);
FFAEMU_API uint64_t ffaemu_ffi_adapter_calls(const struct ffaemu_ffi_adapter *adapter);

/* Cast the pointer of an adapter to a typed function pointer. */
#define FFAEMU_FFI_FN(adapter, type) ((type)ffaemu_ffi_adapter_fn(adapter))

/* ---- Foreign nodes: a node whose call() is a user function of any shape ---- */

/*
 * Wrap fn (of `shape`) as a node: each call marshals the caller's x0-x17
 * into fn's arguments, calls it with ffi_call, and takes the results from
 * fn's out pointers and return value. Registers the shape does not return
 * keep the caller's values (as hardware registers the callee did not
 * write). name (copied) names the node in traces; NULL = "foreign".
 */
FFAEMU_API int ffaemu_ffi_node_new(const struct ffaemu_ffi_shape *shape, ffaemu_ffi_fn fn,
				   const char *name, const struct ffaemu_allocator *alloc,
				   struct ffaemu_node **out);

/* ---- Plug-ins: a node in a shared object ---- */

/*
 * A plug-in is named "PATH:SYMBOL:SHAPE" (an optional "plugin:" prefix is
 * skipped; PATH may itself contain ':' since SYMBOL and SHAPE cannot).
 * The library dlopen()s PATH (RTLD_NOW | RTLD_LOCAL), finds SYMBOL and
 * calls it with SHAPE for every call that reaches the node.
 *
 * Calling down: if the object also exports
 *     int SYMBOL_init(void (*down)(void));
 * it is called once at load with a pointer of shape down_shape (default:
 * SHAPE) bound to the downstream edge (config.down, or later
 * ffaemu_plugin_set_down()); the plug-in casts it to its own type and calls
 * it as its SMC. A non-zero return fails the load (FFAEMU_EIO). An optional
 *     void SYMBOL_fini(void);
 * runs before the object is closed. The down pointer lives as long as the
 * node. A plug-in keeps its own state: one loaded object shared by two
 * nodes (dlopen returns the same handle) shares that state.
 */
struct ffaemu_plugin_config {
	size_t size;               /* sizeof(struct ffaemu_plugin_config) */
	const char *down_shape;    /* default NULL: the entry's SHAPE */
	struct ffaemu_edge *down;  /* default NULL: set later; calls down answer NOT_SUPPORTED */
	const struct ffaemu_call_ctx *down_ctx; /* default NULL: caller 0, NS physical, EL2 */
	const struct ffaemu_allocator *alloc;   /* default NULL (libc) */
};

FFAEMU_API void ffaemu_plugin_config_default(struct ffaemu_plugin_config *cfg);

/*
 * Split "PATH:SYMBOL:SHAPE" into the three buffers (each NUL-terminated).
 * FFAEMU_EPARSE if a part is missing or empty, FFAEMU_ERANGE if a buffer
 * is too small.
 */
FFAEMU_API int ffaemu_plugin_parse_spec(const char *spec, char *path, size_t path_len,
					char *symbol, size_t symbol_len, char *shape,
					size_t shape_len);
/*
 * Load a plug-in as a node (ffaemu_node_free() unloads it). cfg may be NULL.
 * FFAEMU_EPARSE (spec or shape), FFAEMU_EIO (dlopen, dlsym, init failed),
 * FFAEMU_ENOMEM.
 */
FFAEMU_API int ffaemu_plugin_load(const char *spec, const struct ffaemu_plugin_config *cfg,
				  struct ffaemu_node **out);
/* Bind the plug-in's down pointer to edge (NULL = none). FFAEMU_EINVAL if node is no plug-in. */
FFAEMU_API int ffaemu_plugin_set_down(struct ffaemu_node *node, struct ffaemu_edge *down,
				      const struct ffaemu_call_ctx *down_ctx);
/* True if node was made by ffaemu_plugin_load(). */
FFAEMU_API bool ffaemu_node_is_plugin(const struct ffaemu_node *node);

FFAEMU_END_DECLS

#endif /* FFAEMU_FFI_H */
