#!/usr/bin/env python3
"""Side by side with EZKL: the whole pipeline of both provers on the bundled models.

Run it through bench/compare_ezkl.sh, which creates the virtual environment with EZKL and
builds starkml. Not part of CTest or CI: EZKL needs a PyPI download and several minutes to
an hour per model.

For each model of vectors/models (model.onnx, calib.json, input.json):

EZKL (Python API, halo2 + KZG over BN254), each step in its own process so that its time
and peak RSS are its own:
  gen_settings   input public, output public, weights "hashed" (see PARAM_VISIBILITY)
  calibrate      calib.json, target "resources"
  compile_circuit
  SRS            get_srs (downloads the public SRS); if that fails (no network), gen_srs
                 makes one locally (ezkl: "use this only for testing purposes") and it is
                 cached under --srs-dir; its time is reported, not counted as setup
  setup          keygen (pk, vk)
  gen_witness
  prove          --reps times (fewer when one proof takes over --slow-seconds)
  verify         --verify-reps times

starkml (the CLI, secure preset, zero knowledge on: the defaults):
  compile, setup, prove (--reps), verify (--verify-reps, with --input: public input pinned)

Times are the library call measured inside the process (perf_counter around the EZKL call;
the *_seconds / verify_ms that starkml's --json reports), so neither includes interpreter
or process start-up. Both include reading their keys and files, which is part of each
API's call. Peak memory is the step's process high-water mark (ru_maxrss from wait4, the
figure GNU time -v reports; /usr/bin/time -v is used when present).
"""

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODELS = ["logreg_cancer", "mlp_digits", "cnn_digits"]

# Security figure used for EZKL. KZG over BN254: the Kim-Barbulescu exTNFS attacks on the
# pairing's target field lowered BN254 from its original 128-bit target to about 100 bits
# (IRTF CFRG draft-irtf-cfrg-pairing-friendly-curves: "BN254 ensures no more than the
# 100-bit security level"; Barbulescu-Duquesne, "Updating key size estimations for
# pairings", J. Cryptology 32 (2019), doi 10.1007/s00145-018-9280-5; estimates range
# 100-110 bits). Not post-quantum: discrete logarithms fall to Shor's algorithm.
BN254_BITS = 100

# Closest EZKL visibility to starkml's default (public input, private weights bound to a
# Poseidon2 commitment in the verifying key, public output): "hashed" weights are private
# witnesses whose Poseidon hash is a public instance the verifier checks. "private" would
# leave the weights unbound (the prover may change them freely); "fixed" (EZKL's default)
# bakes them into the circuit as fixed columns committed in the verifying key.
PARAM_VISIBILITY = "hashed"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# --------------------------------------------------------------------------- child mode

def step_main(name, args_json):
    """Runs one EZKL step in this process and writes {"ok", "seconds", ...} to args.result."""
    import ezkl  # noqa: PLC0415 (imported only in the step processes)

    a = json.loads(args_json)
    extra = {}
    t0 = time.perf_counter()
    if name == "gen_settings":
        ra = ezkl.PyRunArgs()
        for k, v in a["run_args"].items():
            setattr(ra, k, v)
        ok = ezkl.gen_settings(a["model"], a["settings"], py_run_args=ra)
    elif name == "calibrate":
        ok = ezkl.calibrate_settings(a["data"], a["model"], a["settings"], target=a["target"])
    elif name == "compile":
        ok = ezkl.compile_circuit(a["model"], a["compiled"], a["settings"])
    elif name == "get_srs":
        async def fetch():
            return await ezkl.get_srs(a["settings"], srs_path=a["srs"])
        ok = asyncio.run(fetch())
    elif name == "gen_srs":
        ezkl.gen_srs(a["srs"], a["logrows"])
        ok = os.path.exists(a["srs"])
    elif name == "setup":
        ok = ezkl.setup(a["compiled"], a["vk"], a["pk"], srs_path=a["srs"])
    elif name == "gen_witness":
        ok = bool(ezkl.gen_witness(a["data"], a["compiled"], a["witness"]))
    elif name == "prove":
        ok = bool(ezkl.prove(a["witness"], a["compiled"], a["pk"], a["proof"], srs_path=a["srs"]))
    elif name == "verify":
        ok = ezkl.verify(a["proof"], a["settings"], a["vk"], srs_path=a["srs"])
    else:
        raise SystemExit("unknown step " + name)
    dt = time.perf_counter() - t0
    with open(a["result"], "w") as f:
        json.dump({"ok": bool(ok), "seconds": dt, **extra}, f)
    return 0 if ok else 1


# --------------------------------------------------------------------------- measuring

TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_measured(cmd, log_path, timeout, env=None):
    """Runs cmd with stdout+stderr to log_path; returns (rc, wall_s, maxrss_kib, cpu_s)."""
    time_out = log_path + ".time"
    full = ([TIME_BIN, "-v", "-o", time_out] if TIME_BIN else []) + cmd
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=log, stderr=subprocess.STDOUT, env=env)
        rc, ru = None, None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                rc = os.waitstatus_to_exitcode(status)
                p.returncode = rc
                break
            if time.perf_counter() - t0 > timeout:
                p.kill()
                _, status, ru = os.wait4(p.pid, 0)
                p.returncode = rc = 124
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
    maxrss = ru.ru_maxrss if ru else None
    cpu = (ru.ru_utime + ru.ru_stime) if ru else None
    if TIME_BIN and os.path.exists(time_out):
        with open(time_out) as f:
            txt = f.read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt)
        if m:
            maxrss = int(m.group(1))
        if rc != 124:
            m = re.search(r"Exit status: (\d+)", txt)
            if m:
                rc = int(m.group(1))
    return rc, wall, maxrss, cpu


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class StepError(RuntimeError):
    pass


class Ezkl:
    def __init__(self, python, work, logdir, timeout):
        self.python, self.work, self.logdir, self.timeout = python, work, logdir, timeout
        self.n = 0

    def step(self, name, args, must=True, timeout=None):
        self.n += 1
        tag = "%02d-ezkl-%s" % (self.n, name)
        args = dict(args, result=os.path.join(self.work, tag + ".result.json"))
        log = os.path.join(self.logdir, tag + ".log")
        cmd = [self.python, os.path.abspath(__file__), "--step", name, json.dumps(args)]
        rc, wall, rss, cpu = run_measured(cmd, log, timeout or self.timeout)
        res = {"step": name, "rc": rc, "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": rss, "log": log}
        if os.path.exists(args["result"]):
            with open(args["result"]) as f:
                res.update(json.load(f))
        else:
            res["ok"] = False
        if not res.get("ok") or rc != 0:
            res["error"] = tail(log)
            if must:
                raise StepError("ezkl %s failed (rc %s):\n%s" % (name, rc, res["error"]))
        say("  ezkl %-12s %8.3f s  peak %s" % (name, res.get("seconds", wall), fmt_kib(rss)))
        return res


def starkml_step(binary, name, argv, logdir, n, timeout):
    tag = "%02d-starkml-%s" % (n, name)
    log = os.path.join(logdir, tag + ".log")
    rc, wall, rss, cpu = run_measured([binary] + argv + ["--json"], log, timeout)
    with open(log, errors="replace") as f:
        txt = f.read()
    doc = None
    for line in reversed(txt.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                doc = json.loads(line)
                break
            except ValueError:
                pass
    if rc != 0 or doc is None:
        raise StepError("starkml %s failed (rc %s):\n%s" % (name, rc, tail(log)))
    return {"step": name, "rc": rc, "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": rss, "json": doc}


# --------------------------------------------------------------------------- helpers

def say(msg):
    print(msg, flush=True)


def fmt_kib(k):
    if k is None:
        return "?"
    if k >= 1024 * 1024:
        return "%.2f GiB" % (k / 1024 / 1024)
    return "%.0f MiB" % (k / 1024)


def fmt_s(s):
    if s is None:
        return "-"
    if s < 1:
        return "%.1f ms" % (s * 1e3)
    if s < 100:
        return "%.2f s" % s
    return "%.0f s" % s


def spread(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {"min": min(vals), "median": statistics.median(vals), "max": max(vals), "n": len(vals),
            "all": vals}


def fmt_spread(sp):
    if not sp:
        return "-"
    if sp["n"] == 1:
        return "%s (1 run)" % fmt_s(sp["median"])
    return "%s (%s-%s, %d runs)" % (fmt_s(sp["median"]), fmt_s(sp["min"]), fmt_s(sp["max"]), sp["n"])


def machine_info():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1])
    except OSError:
        pass
    commit = None
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_kib": mem, "kernel": platform.release(),
            "python": platform.python_version(), "starkml_commit": commit}


def starkml_version(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def ezkl_version(python):
    out = subprocess.run([python, "-c", "import ezkl; print(ezkl.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


# --------------------------------------------------------------------------- the runs

def run_starkml(binary, model, mdir, work, logdir, reps, vreps, timeout):
    say("[%s] starkml" % model)
    onnx, calib, inp = (os.path.join(mdir, f) for f in ("model.onnx", "calib.json", "input.json"))
    smc, pk, vk = (os.path.join(work, "starkml." + e) for e in ("smc", "pk", "vk"))
    n = 0
    r = {"tool": "starkml"}
    n += 1
    c = starkml_step(binary, "compile", ["compile", onnx, "--calib", calib, "-o", smc], logdir, n, timeout)
    r["compile_s"] = c["json"]["compile_seconds"]
    n += 1
    s = starkml_step(binary, "setup", ["setup", smc, "--pk", pk, "--vk", vk], logdir, n, timeout)
    r["setup_s"] = s["json"]["setup_seconds"]
    r["setup_peak_rss_kib"] = s["peak_rss_kib"]
    r["pk_bytes"], r["vk_bytes"] = s["json"]["pk_bytes"], s["json"]["vk_bytes"]
    say("  starkml compile %.4f s, setup %.3f s" % (r["compile_s"], r["setup_s"]))
    proves = []
    for i in range(reps):
        n += 1
        proof = os.path.join(work, "starkml-%d.proof" % i)
        p = starkml_step(binary, "prove", ["prove", "--pk", pk, "--input", inp, "-o", proof,
                                           "--preset", "secure"], logdir, n, timeout)
        j = p["json"]
        if not j.get("zk") or j.get("preset") != "secure":
            raise StepError("starkml prove: expected preset secure with zk on, got %r" % j)
        proves.append(p)
        say("  starkml prove   %8.3f s  peak %s  %d B" % (j["prove_seconds"], fmt_kib(p["peak_rss_kib"]),
                                                        j["proof_bytes"]))
    last = os.path.join(work, "starkml-%d.proof" % (reps - 1))
    verifies = []
    for _ in range(vreps):
        n += 1
        v = starkml_step(binary, "verify", ["verify", "--vk", vk, "--proof", last, "--input", inp],
                         logdir, n, timeout)
        if v["json"].get("result") != "accepted":
            raise StepError("starkml verify rejected: %r" % v["json"])
        verifies.append(v)
    vj = verifies[-1]["json"]
    say("  starkml verify  %s" % ", ".join("%.1f ms" % v["json"]["verify_ms"] for v in verifies))
    r.update({
        "prove_s": spread([p["json"]["prove_seconds"] for p in proves]),
        "verify_s": spread([v["json"]["verify_ms"] / 1e3 for v in verifies]),
        "proof_bytes": proves[-1]["json"]["proof_bytes"],
        "prove_peak_rss_kib": max(p["peak_rss_kib"] or 0 for p in proves),
        "verify_peak_rss_kib": max(v["peak_rss_kib"] or 0 for v in verifies),
        "provable_bits": vj["provable_bits"], "conjectured_bits": vj["conjectured_bits"],
        "zk": bool(vj.get("zk")), "preset": vj.get("preset"),
        "threads": proves[-1]["json"].get("threads"),
        "prove_cpu_over_wall": [p["cpu_s"] / p["wall_s"] for p in proves if p["cpu_s"] and p["wall_s"]],
        "output": proves[-1]["json"].get("output"),
    })
    return r


def run_ezkl(python, model, mdir, work, logdir, srs_dir, reps, vreps, slow, timeout, visibility):
    say("[%s] ezkl" % model)
    e = Ezkl(python, work, logdir, timeout)
    onnx = os.path.join(mdir, "model.onnx")
    # EZKL's data files: {"input_data": [flat list per model input]}. Calibration samples
    # are concatenated into one flat list (EZKL splits it into batches of the input's size).
    with open(os.path.join(mdir, "input.json")) as f:
        inp = json.load(f)["input_data"]
    with open(os.path.join(mdir, "calib.json")) as f:
        cal = json.load(f)["input_data"]
    data = os.path.join(work, "ezkl-input.json")
    calib = os.path.join(work, "ezkl-calib.json")
    with open(data, "w") as f:
        json.dump({"input_data": inp}, f)
    with open(calib, "w") as f:
        json.dump({"input_data": [[x for sample in cal for x in sample]]}, f)
    settings = os.path.join(work, "ezkl-settings.json")
    compiled = os.path.join(work, "ezkl-model.compiled")
    pk, vk = os.path.join(work, "ezkl-pk.key"), os.path.join(work, "ezkl-vk.key")
    witness = os.path.join(work, "ezkl-witness.json")
    r = {"tool": "ezkl", "param_visibility": visibility, "n_calib": len(cal)}
    steps = {}
    run_args = {"input_visibility": "public", "output_visibility": "public",
                "param_visibility": visibility}
    steps["gen_settings"] = e.step("gen_settings", {"model": onnx, "settings": settings, "run_args": run_args})
    steps["calibrate"] = e.step("calibrate", {"data": calib, "model": onnx, "settings": settings,
                                              "target": "resources"})
    with open(settings) as f:
        st = json.load(f)
    logrows = st["run_args"]["logrows"]
    r["logrows"] = logrows
    r["run_args"] = st["run_args"]
    r["num_rows"] = st.get("num_rows")
    steps["compile"] = e.step("compile", {"model": onnx, "compiled": compiled, "settings": settings})

    # SRS: the public one first (network), else a local one, cached per logrows.
    os.makedirs(srs_dir, exist_ok=True)
    srs = os.path.join(srs_dir, "kzg%d.srs" % logrows)
    if os.path.exists(srs):
        r["srs_source"] = "cached " + srs
        say("  ezkl srs: cached %s" % srs)
    else:
        g = e.step("get_srs", {"settings": settings, "srs": srs + ".part"}, must=False, timeout=600)
        steps["get_srs"] = g
        if g.get("ok") and os.path.exists(srs + ".part"):
            os.replace(srs + ".part", srs)
            r["srs_source"] = "get_srs (public SRS downloaded)"
        else:
            err = g.get("error", "").strip().splitlines()
            r["get_srs_error"] = err[-1] if err else "rc %s" % g.get("rc")
            say("  ezkl get_srs failed: %s; generating locally" % r["get_srs_error"])
            steps["gen_srs"] = e.step("gen_srs", {"srs": srs + ".part", "logrows": logrows})
            os.replace(srs + ".part", srs)
            r["srs_source"] = "gen_srs (local, testing only)"
    steps["setup"] = e.step("setup", {"compiled": compiled, "vk": vk, "pk": pk, "srs": srs})
    r["pk_bytes"], r["vk_bytes"] = os.path.getsize(pk), os.path.getsize(vk)
    steps["gen_witness"] = e.step("gen_witness", {"data": data, "compiled": compiled, "witness": witness})
    proves, proofs = [], []
    for i in range(reps):
        proof = os.path.join(work, "ezkl-proof-%d.json" % i)
        p = e.step("prove", {"witness": witness, "compiled": compiled, "pk": pk, "proof": proof, "srs": srs})
        proves.append(p)
        with open(proof) as f:
            proofs.append(json.load(f))
        if p["seconds"] > slow and i + 1 < reps:
            say("  ezkl prove took %.0f s > %.0f s: not repeated" % (p["seconds"], slow))
            r["prove_reps_note"] = "one proof took %.0f s (over --slow-seconds %.0f): %d run(s)" % (
                p["seconds"], slow, i + 1)
            break
    last = os.path.join(work, "ezkl-proof-%d.json" % (len(proves) - 1))
    verifies = [e.step("verify", {"proof": last, "settings": settings, "vk": vk, "srs": srs})
                for _ in range(vreps)]
    raw = [bytes(pf["proof"]) if isinstance(pf["proof"], list) else bytes.fromhex(pf["hex_proof"][2:])
           for pf in proofs]
    r.update({
        "setup_s": steps["setup"]["seconds"],
        "setup_peak_rss_kib": steps["setup"]["peak_rss_kib"],
        "prove_s": spread([p["seconds"] for p in proves]),
        "verify_s": spread([v["seconds"] for v in verifies]),
        "proof_bytes": len(raw[-1]),
        "proof_json_bytes": os.path.getsize(last),
        "n_instances": sum(len(x) for x in proofs[-1].get("instances", [])),
        "prove_peak_rss_kib": max(p["peak_rss_kib"] or 0 for p in proves),
        "verify_peak_rss_kib": max(v["peak_rss_kib"] or 0 for v in verifies),
        "prove_cpu_over_wall": [p["cpu_s"] / p["wall_s"] for p in proves if p.get("cpu_s") and p["wall_s"]],
        "proofs_differ": (len(set(raw)) == len(raw)) if len(raw) > 1 else None,
        "rescaled_outputs": proofs[-1].get("pretty_public_inputs", {}).get("rescaled_outputs"),
        "steps": {k: {kk: v.get(kk) for kk in ("seconds", "wall_s", "cpu_s", "peak_rss_kib", "rc", "ok")}
                  for k, v in steps.items()},
    })
    return r


# --------------------------------------------------------------------------- report

def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0fx" % x
    if x >= 10:
        return "%.1fx" % x
    if x >= 0.1:
        return "%.2fx" % x
    return "%.2gx (1/%.0f)" % (x, 1 / x)


def report(results, meta):
    lines = []
    lines.append("| model | tool | setup | prove median (min-max) | verify median (min-max) | proof | "
                 "peak RSS (prove) | security | zero knowledge |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for m in results:
        s, z = m.get("starkml"), m.get("ezkl")
        if z and "error" not in z:
            lines.append("| %s | EZKL %s (halo2, KZG/BN254), logrows %d | %s | %s | %s | %d B | %s | "
                         "~%d bits classical, not post-quantum | yes (halo2 blinding%s) |" % (
                             m["model"], meta.get("ezkl_version") or "", z["logrows"], fmt_s(z["setup_s"]),
                             fmt_spread(z["prove_s"]), fmt_spread(z["verify_s"]), z["proof_bytes"],
                             fmt_kib(z["prove_peak_rss_kib"]), BN254_BITS,
                             "; proofs of one witness differ" if z.get("proofs_differ") else ""))
        elif z:
            lines.append("| %s | EZKL | failed: %s | | | | | | |" % (m["model"], z["error"].splitlines()[0]))
        if s and "error" not in s:
            lines.append("| %s | starkml (STARK, SHA3-256), secure | %s | %s | %s | %d B | %s | "
                         "%d provable bits, post-quantum (hash-based) | %s |" % (
                             m["model"], fmt_s(s["setup_s"]), fmt_spread(s["prove_s"]),
                             fmt_spread(s["verify_s"]), s["proof_bytes"], fmt_kib(s["prove_peak_rss_kib"]),
                             s["provable_bits"], "yes" if s["zk"] else "no"))
        elif s:
            lines.append("| %s | starkml | failed: %s | | | | | | |" % (m["model"], s["error"].splitlines()[0]))
    pairs = [m for m in results if m.get("starkml") and m.get("ezkl")
             and "error" not in m["starkml"] and "error" not in m["ezkl"]]
    if not pairs:
        return "\n".join(lines)
    lines.append("")
    lines.append("| model | setup EZKL/starkml | prove EZKL/starkml (medians; min/min) | verify EZKL/starkml "
                 "(medians) | proof size EZKL/starkml | peak RSS EZKL/starkml | prove <= 1/50 of EZKL | "
                 "starkml verify <= 10 ms |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for m in pairs:
        s, z = m["starkml"], m["ezkl"]
        pr = ratio(z["prove_s"]["median"], s["prove_s"]["median"])
        prm = ratio(z["prove_s"]["min"], s["prove_s"]["min"])
        vr = ratio(z["verify_s"]["median"], s["verify_s"]["median"])
        met_p = "met" if pr is not None and pr >= 50 else "**not met**"
        met_v = "met" if s["verify_s"]["median"] <= 0.010 else "**not met** (%s)" % fmt_s(s["verify_s"]["median"])
        m["ratios"] = {"setup": ratio(z["setup_s"], s["setup_s"]), "prove_median": pr, "prove_min": prm,
                       "verify_median": vr, "proof_bytes": ratio(z["proof_bytes"], s["proof_bytes"]),
                       "peak_rss": ratio(z["prove_peak_rss_kib"], s["prove_peak_rss_kib"]),
                       "prove_target_met": pr is not None and pr >= 50,
                       "verify_target_met": s["verify_s"]["median"] <= 0.010}
        lines.append("| %s | %s | %s (%s) | %s | %s | %s | %s (needs >= 50x) | %s |" % (
            m["model"], fmt_ratio(m["ratios"]["setup"]), fmt_ratio(pr), fmt_ratio(prm), fmt_ratio(vr),
            fmt_ratio(m["ratios"]["proof_bytes"]), fmt_ratio(m["ratios"]["peak_rss"]), met_p, met_v))
    lines.append("")
    lines.append("| model | EZKL gen_settings | calibrate | compile | SRS | setup (peak RSS) | gen_witness | "
                 "pk / vk | proof.json | starkml compile | setup (peak RSS) | pk / vk |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for m in pairs:
        s, z = m["starkml"], m["ezkl"]
        st = z["steps"]
        srs = st.get("gen_srs") or st.get("get_srs")
        srs_txt = ("%s, %s" % (z["srs_source"].split(" (")[0], fmt_s(srs["seconds"]))) if srs and srs.get(
            "seconds") is not None else z["srs_source"].split(" /")[0]
        lines.append("| %s | %s | %s | %s | %s | %s (%s) | %s | %.1f MB / %.0f kB | %d B | %s | %s (%s) | "
                     "%.1f kB / %.1f kB |" % (
                         m["model"], fmt_s(st["gen_settings"]["seconds"]), fmt_s(st["calibrate"]["seconds"]),
                         fmt_s(st["compile"]["seconds"]), srs_txt, fmt_s(z["setup_s"]),
                         fmt_kib(z["setup_peak_rss_kib"]), fmt_s(st["gen_witness"]["seconds"]),
                         z["pk_bytes"] / 1e6, z["vk_bytes"] / 1e3, z["proof_json_bytes"], fmt_s(s["compile_s"]),
                         fmt_s(s["setup_s"]), fmt_kib(s["setup_peak_rss_kib"]), s["pk_bytes"] / 1e3,
                         s["vk_bytes"] / 1e3))
    return "\n".join(lines)


# --------------------------------------------------------------------------- main

def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--step":
        return step_main(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated (default: all three)")
    ap.add_argument("--starkml", default=os.path.join(ROOT, "build-ezkl", "host", "starkml"))
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "vectors", "models"))
    ap.add_argument("--reps", type=int, default=3, help="proofs per tool and model (default 3)")
    ap.add_argument("--verify-reps", type=int, default=5, help="verifications (default 5)")
    ap.add_argument("--slow-seconds", type=float, default=900.0,
                    help="do not repeat an EZKL proof that took longer than this (default 900)")
    ap.add_argument("--step-timeout", type=float, default=7200.0, help="per step (default 7200 s)")
    ap.add_argument("--param-visibility", default=PARAM_VISIBILITY,
                    help="EZKL weights visibility (default hashed; private, fixed, ...)")
    ap.add_argument("--workdir", default=None, help="default: a new directory under $TMPDIR")
    ap.add_argument("--srs-dir", default=os.path.join(sys.prefix, "ezkl-srs"),
                    help="cache of generated SRS files (default: inside the virtual environment)")
    ap.add_argument("--keep", action="store_true", help="keep keys and proofs (EZKL pk: GBs)")
    ap.add_argument("--skip-ezkl", action="store_true")
    ap.add_argument("--skip-starkml", action="store_true")
    ap.add_argument("--json", default=None, help="write every figure to this file")
    o = ap.parse_args()

    if not o.skip_starkml and not os.access(o.starkml, os.X_OK):
        ap.error("starkml binary not found: %s (build it, or pass --starkml)" % o.starkml)
    work_root = o.workdir or tempfile.mkdtemp(prefix="compare-ezkl-")
    os.makedirs(work_root, exist_ok=True)
    meta = machine_info()
    meta.update({"ezkl_version": None if o.skip_ezkl else ezkl_version(sys.executable),
                 "starkml": o.starkml, "starkml_version": None if o.skip_starkml else starkml_version(o.starkml),
                 "reps": o.reps, "verify_reps": o.verify_reps,
                 "param_visibility": o.param_visibility, "bn254_bits": BN254_BITS,
                 "time_bin": TIME_BIN, "workdir": work_root,
                 "start": time.strftime("%Y-%m-%d %H:%M:%S"), "load_start": loadavg(),
                 "command": " ".join([os.path.relpath(sys.argv[0], os.getcwd())] + sys.argv[1:])})
    say("machine: %s, nproc %s, %s; ezkl %s; %s (HEAD %s); load %.2f; work %s" % (
        meta["cpu"], meta["nproc"], fmt_kib(meta["mem_kib"]), meta["ezkl_version"], meta["starkml_version"],
        meta["starkml_commit"],
        meta["load_start"] or -1, work_root))
    results = []
    for model in [m for m in o.models.split(",") if m]:
        mdir = os.path.join(o.models_dir, model)
        work = os.path.join(work_root, model)
        logdir = os.path.join(work, "logs")
        os.makedirs(logdir, exist_ok=True)
        entry = {"model": model, "load_start": loadavg()}
        if not o.skip_starkml:
            try:
                entry["starkml"] = run_starkml(o.starkml, model, mdir, work, logdir, o.reps,
                                               o.verify_reps, o.step_timeout)
            except StepError as ex:
                entry["starkml"] = {"error": str(ex)}
                say(str(ex))
        if not o.skip_ezkl:
            try:
                entry["ezkl"] = run_ezkl(sys.executable, model, mdir, work, logdir, o.srs_dir, o.reps,
                                         o.verify_reps, o.slow_seconds, o.step_timeout, o.param_visibility)
            except StepError as ex:
                entry["ezkl"] = {"error": str(ex)}
                say(str(ex))
        entry["load_end"] = loadavg()
        results.append(entry)
        if not o.keep:
            for f in os.listdir(work):
                if f.endswith((".key", ".pk", ".proof", ".compiled", ".smc", ".vk")):
                    os.remove(os.path.join(work, f))
        if o.json:  # after each model, so that a long run leaves partial results
            with open(o.json, "w") as f:
                json.dump({"meta": meta, "results": results}, f, indent=1)
    meta["end"] = time.strftime("%Y-%m-%d %H:%M:%S")
    meta["load_end"] = loadavg()
    table = report(results, meta)
    say("")
    say("EZKL %s (weights %s, input and output public) vs starkml %s (secure preset, zk on); %s, nproc %s; "
        "load %.1f at start, %.1f at end" % (meta["ezkl_version"], o.param_visibility, meta["starkml_commit"],
                                             meta["cpu"], meta["nproc"], meta["load_start"] or -1,
                                             meta["load_end"] or -1))
    say(table)
    if o.json:
        with open(o.json, "w") as f:
            json.dump({"meta": meta, "results": results, "table": table}, f, indent=1)
    failed = any("error" in (m.get(t) or {}) for m in results for t in ("ezkl", "starkml"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
