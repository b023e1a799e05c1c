package dev.headwater.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HarnessTest {

    private static final String WRK_OUTPUT = """
            Running 15s test @ http://127.0.0.1:8081
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    12.01ms    3.20ms  80.00ms   90.00%
                Req/Sec   667.00     50.00   800.00     70.00%
              Latency Distribution
                 50%  850.00us
                 75%   13.00ms
                 90%   15.00ms
                 99%    1.20s
              20000 requests in 15.00s, 9.00MB read
              Non-2xx or 3xx responses: 3
            Requests/sec:   1333.33
            Transfer/sec:    614.40KB
            """;

    @Test
    void wrk_report_gives_rate_percentiles_in_milliseconds_and_failures() {
        Wrk.Result result = Wrk.parse(WRK_OUTPUT);

        assertThat(result.requestsPerSecond()).isEqualTo(1333.33);
        assertThat(result.p50Millis()).isEqualTo(0.85);
        assertThat(result.p99Millis()).isEqualTo(1200.0);
        assertThat(result.requests()).isEqualTo(20000);
        assertThat(result.failures()).isEqualTo(3);
    }

    @Test
    void wrk_output_without_a_result_is_an_error_not_a_zero() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:8081 Connection refused"))
                .hasMessageContaining("wrk printed no result");
    }

    @Test
    void median_and_spread_of_rounds() {
        Samples odd = new Samples();
        odd.add(30, 1);
        odd.add(10, 1);
        odd.add(20, 1);
        Samples even = new Samples();
        even.add(4, 1);
        even.add(1, 1);
        even.add(2, 1);
        even.add(3, 1);

        assertThat(odd.median()).isEqualTo(20);
        assertThat(odd.spreadPercent()).isEqualTo(100);
        assertThat(even.median()).isEqualTo(2.5);
    }

    @Test
    void options_are_name_value_pairs_with_defaults() {
        Options options = Options.parse(new String[] {"append", "--rounds=5", "--events=1_000"}, 1);

        assertThat(options.rounds(3)).isEqualTo(5);
        assertThat(options.integer("events", 1)).isEqualTo(1000);
        assertThat(options.integer("clients", 16)).isEqualTo(16);
        assertThatThrownBy(() -> Options.parse(new String[] {"append", "rounds"}, 1))
                .hasMessageContaining("--name=value");
    }

    @Test
    void the_machines_busy_time_grows_at_least_by_what_this_process_burns() {
        long self = ProcessHandle.current().pid();
        double machineBefore = Machine.busyCpuSeconds();
        double selfBefore = Machine.cpuSeconds(self);
        long deadline = System.nanoTime() + 20_000_000_000L;
        double burnt = 0;
        while (burnt < 0.3 && System.nanoTime() < deadline) {
            burnt = Machine.cpuSeconds(self) - selfBefore;
        }

        assertThat(burnt).isGreaterThanOrEqualTo(0.3);
        // Both files count in ticks of 10 ms, read at slightly different moments.
        assertThat(Machine.busyCpuSeconds() - machineBefore).isGreaterThanOrEqualTo(burnt - 0.05);
    }

    @Test
    void a_thread_that_wakes_up_fifty_times_adds_at_least_fifty_runs() throws InterruptedException {
        long self = ProcessHandle.current().pid();
        double[] before = Machine.runQueueWait(self, false);
        for (int i = 0; i < 50; i++) {
            Thread.sleep(1);
        }
        double[] after = Machine.runQueueWait(self, false);

        // Runs are a count (a nanosecond field read by mistake would grow by far more), and
        // waiting time is in seconds, bounded by the time the threads existed.
        assertThat(after[1] - before[1]).isBetween(50.0, 5_000.0);
        assertThat(after[0] - before[0]).isBetween(0.0, 60.0);
    }
}
