package dev.headwater.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Listening ports for servers that tests stop and start again on the same port.
 *
 * <p>A port the kernel hands out for {@code bind(0)} comes from the ephemeral range, the same range
 * it takes the local port of every outgoing connection from. While a server is down, any client on
 * the machine (a connection pool, a Kafka client retrying, a load driver) may be given its port for
 * a connection that then lives for minutes, and the restart fails with "Address already in use".
 * The ports here are drawn from below the ephemeral range, where the kernel never picks a port on
 * its own, and are checked free by binding them once.
 */
public final class Ports {

    /** Below the usual service ports we run on (5432, 8081–8083, 9092), above most fixed ones. */
    private static final int LOWEST = 20_000;

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Set<Integer> handedOut = new HashSet<>();

    private Ports() {}

    /** A free loopback port outside the kernel's ephemeral range (or any free port where there is no room below it). */
    public static int stablePort() {
        return pick(1);
    }

    /** A free port whose successor is free too (a Kafka broker's controller listens on port + 1). */
    public static int stablePortPair() {
        return pick(2);
    }

    private static synchronized int pick(int width) {
        int highest = ephemeralLow() - width;
        for (int attempt = 0; attempt < 200; attempt++) {
            int port =
                    highest > LOWEST + 1000 ? ThreadLocalRandom.current().nextInt(LOWEST, highest + 1) : kernelChosen();
            if (allFree(port, width)) {
                for (int i = 0; i < width; i++) {
                    handedOut.add(port + i);
                }
                return port;
            }
        }
        throw new IllegalStateException("no " + width + " adjacent free ports found");
    }

    private static boolean allFree(int port, int width) {
        for (int i = 0; i < width; i++) {
            if (handedOut.contains(port + i) || !free(port + i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int kernelChosen() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lower bound of the ephemeral range; Linux's default when the file cannot be read. */
    static int ephemeralLow() {
        try {
            // Not readString: a procfs file reports size 0, and readString reads one byte of it.
            String[] bounds = Files.readAllLines(EPHEMERAL_RANGE, StandardCharsets.US_ASCII)
                    .get(0)
                    .trim()
                    .split("\\s+");
            return Integer.parseInt(bounds[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
