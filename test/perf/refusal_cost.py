"""What a flood of refused connections costs serve, against serving the same
flood: server CPU per connection with bench --mode exchange as the load,
first served, then with --deny naming the load's own address; three rounds.
The server is pinned to CPU 0 and the load to CPU 1, as compare.py pins
them, so that the kernel's work for each side is charged to that side.
Usage: refusal_cost.py PATH/TO/tcpecho"""
import json
import os
import subprocess
import sys
exe = sys.argv[1]
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def run(extra):
    p = subprocess.Popen(["taskset", "-c", "0", exe, "serve", "--port", "3989", "--quiet", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    c0 = cpu(p.pid)
    b = subprocess.run(["taskset", "-c", "1", exe, "bench", "--port", "3989", "--mode", "exchange", "-c", "16", "-d", "3", "--warmup", "0", "--json"], capture_output=True, text=True)
    c1 = cpu(p.pid)
    p.terminate(); out, err = p.communicate(timeout=10)
    d = json.loads(b.stdout)
    conns = d["operations"] + sum(d["errors"].values())
    return c1 - c0, conns, err.decode().count("refused connection")
for i in range(3):
    cs, ns, _ = run([])
    cd, nd, lines = run(["--deny", "127.0.0.1"])
    print(f"served: {cs/ns*1e6:.1f} us/conn ({ns} conns)  denied: {cd/nd*1e6:.1f} us/conn ({nd} conns, {lines} log lines)  ratio {cd/nd/(cs/ns):.2f}")
