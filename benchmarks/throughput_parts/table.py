"""The throughput benchmark's printed summary: one row per phase, then the ratios, the limit and the scaling."""

from __future__ import annotations

ROWS = (
    ("reference", "(a) reference"),
    ("same_batch", "(b) same batch"),
    ("best", "(c) best"),
    ("hf_trainer_same_settings", "(d) HF, (c)'s"),
    ("hf_trainer", "(d) HF, own best"),
)


def table(summary: dict) -> str:
    present = [(name, label) for name, label in ROWS if summary.get(name) is not None]
    with_mfu = any("mfu" in summary[name] for name, _ in present)
    header = f"{'phase':<17} {'pairs/s':>9} {'real tok/s':>11} {'pad':>6} {'peak MiB':>9} {'load':>5}" + (f" {'MFU':>6}" if with_mfu else "")
    lines = [f"device: {summary['device']}   encoder: {summary['encoder']}   workload: {summary['scaling'].get('workload', '')}", header]
    for name, label in present:
        row = summary[name]
        load = row.get("load_average_1min")
        line = (f"{label:<17} {row['pairs_per_s']:>9.2f} {row['real_tokens_per_s']:>11.0f} {row['pad_fraction']:>6.1%} "
                f"{row['peak_mem_bytes'] / 2**20:>9.0f} {load if load is not None else 'n/a':>5}")
        if with_mfu:
            line += f" {row['mfu']:>6.1%}" if row.get("mfu") is not None else f" {'n/a':>6}"
        lines.append(line)
    if summary["same_batch_ratio"] is not None or summary["best_ratio"] is not None:
        lines.append(f"ratios: (b)/(a) = {summary['same_batch_ratio']}   (c)/(a) = {summary['best_ratio']}")
    if summary.get("vs_hf_trainer") is not None:
        lines.append(f"(c)/(d), median of the rounds' ratios: {summary['vs_hf_trainer']} against the Trainer at its best settings "
                     f"({summary['hf_trainer_pick']}), {summary['vs_hf_trainer_same_settings']} at (c)'s; pairs/s per round: {summary['rounds']}")
    if summary.get("gemm_peak_flops") is not None:
        breakdown = summary["limit"]["step_breakdown"]
        lines.append(f"limit: matmul peak {summary['gemm_peak_flops'] / 1e9:.1f} GFLOP/s ({summary['limit']['gemm']['dtype']}), (c) achieves "
                     f"{summary['achieved_flops'] / 1e9:.1f} GFLOP/s = {summary['peak_fraction']:.1%} of it "
                     f"(per round: {', '.join(f'{value:.1%}' for value in summary['limit']['peak_fraction_by_round'])})")
        for name, shares in breakdown.items():
            parts = ", ".join(f"{key} {value:.1%}" for key, value in shares.items() if key != "step_seconds")
            lines.append(f"one step of {name} ({shares['step_seconds']:.3f} s under the profiler): {parts}")
    if "examples" in summary["scaling"]:
        sizes = ", ".join(f"{key} ({value['examples']} examples) {value['pairs_per_s']:.2f}" for key, value in summary["scaling"]["examples"].items())
        lengths = ", ".join(f"{key} {value:.2f}" for key, value in summary["scaling"]["lengths"].items())
        lines.append(f"scaling, pairs/s of (c): {sizes}; by lengths: {lengths}")
    load = summary.get("load_average") or {}
    if load:
        lines.append(f"load average (1, 5, 15 min): at the start {load.get('start')}, at the end {load.get('end')}")
    return "\n".join(lines)
