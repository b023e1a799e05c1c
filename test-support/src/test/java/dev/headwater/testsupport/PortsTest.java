package dev.headwater.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void ports_come_from_below_the_ephemeral_range_and_are_never_handed_out_twice() {
        int ephemeralLow = Ports.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        // 2,000 draws from about 12,700 ports: without the record of ports handed out, some port
        // would come back (the expected number of repeats is over 100).
        for (int i = 0; i < 2_000; i++) {
            int port = Ports.stablePort();
            assertThat(port).isBetween(20_000, ephemeralLow - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }

    @Test
    void a_pair_is_two_adjacent_bindable_ports_below_the_ephemeral_range() throws IOException {
        int port = Ports.stablePortPair();
        assertThat(port + 1).isLessThan(Ports.ephemeralLow());
        try (ServerSocket first = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
            assertThat(second.getLocalPort()).isEqualTo(first.getLocalPort() + 1);
        }
    }
}
