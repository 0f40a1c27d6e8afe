/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark program of suite 'bench': the cases of `ffa-emu bench`
 * (emu/bench.c), built on their own so that benchmarks run without the
 * tool. `bench CASE [ITERS [REPS]]`, `bench --list`.
 */
int emu_cmd_bench(int argc, char **argv);

int main(int argc, char **argv)
{
	return emu_cmd_bench(argc, argv);
}
