"""Exchanges per second with the JSON log against the transcript, its output
to /dev/null: bench --mode exchange -c 16 -d 3, alternating, five pairs.
Usage: json_log_cost.py PATH/TO/tcpecho"""
import json
import statistics
import subprocess
import sys

exe = sys.argv[1]


def rate(log_format):
    server = subprocess.Popen([exe, "serve", "--port", "3984", "--log-format", log_format],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    server.stdout.readline()
    drain = subprocess.Popen(["cat"], stdin=server.stdout, stdout=subprocess.DEVNULL)
    bench = subprocess.run([exe, "bench", "--port", "3984", "--mode", "exchange", "-c", "16",
                            "-d", "3", "--warmup", "1", "--json"], capture_output=True, text=True)
    server.terminate()
    server.wait(timeout=10)
    drain.wait(timeout=10)
    return json.loads(bench.stdout)["ops_per_s"]


ratios = []
for _ in range(5):
    transcript, as_json = rate("transcript"), rate("json")
    ratios.append(as_json / transcript)
    print(f"transcript {transcript:.0f}/s  json {as_json:.0f}/s  ratio {ratios[-1]:.2f}")
print(f"median ratio {statistics.median(ratios):.2f} (target >= 0.90)")
