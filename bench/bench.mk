# The comparison benchmark: hutch (and hutch-oci) beside LXC, Docker, crun, runc, bubblewrap and
# unshare on the same BusyBox workloads (issue 4). Included by the top-level Makefile. Runs as root.
#   make bench        run everything (bench/run) and write docs/report.md (~11 minutes)
#   make report       rewrite docs/report.md and docs/report/*.svg from build/bench/results
#   make bench-smoke  every workload a few times in every runtime, checked; part of make check
BENCH_RESULTS := build/bench/results
BENCH_SMOKE := build/bench/smoke
BENCH_ENV = HUTCH=$(abspath $(BUILD)/hutch) IMAGES=$(abspath $(BUILD))
REPORT_PACKAGES := python3 gnuplot-nox

.PHONY: bench report bench-smoke bench-arch

# About a minute here (plus installing docker.io, lxc... once on a fresh machine); it checks that
# every runtime ran every workload and that the host is as it was, never how fast anything is.
CHECK_EXTRA += bench-smoke

# The runtimes run on this machine, so the images must be this machine's.
bench-arch:
	@[ "$(ARCH)" = "$$(uname -m)" ] || { echo "bench: ARCH=$(ARCH) cannot run here ($$(uname -m))" >&2; exit 1; }

bench: bench-arch all $(BUILD)/hutch-probe
	@$(BENCH_ENV) bench/run; rc=$$?; \
	  if [ -f $(BENCH_RESULTS)/meta.json ]; then \
	    bench/report $(BENCH_RESULTS) docs/report.md docs/report || rc=1; fi; \
	  exit $$rc

report:
	@toolchain/need-packages $(REPORT_PACKAGES)
	@bench/report $(BENCH_RESULTS) docs/report.md docs/report

bench-smoke: bench-arch all $(BUILD)/hutch-probe
	@mkdir -p $(dir $(BENCH_SMOKE))
	@$(BENCH_ENV) bench/run --smoke >$(BENCH_SMOKE).log 2>&1; rc=$$?; \
	  [ $$rc = 0 ] || tail -n 30 $(BENCH_SMOKE).log >&2; \
	  bench/report --check $(BENCH_SMOKE) || rc=1; \
	  [ ! -f $(BENCH_SMOKE)/meta.json ] || \
	    bench/report $(BENCH_SMOKE) $(BENCH_SMOKE)/report.md $(BENCH_SMOKE)/svg >/dev/null || rc=1; \
	  exit $$rc
