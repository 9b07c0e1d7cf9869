package io.valkeyrie.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts this process's established TCP connections to a server port, from
 * {@code /proc/self/fd} (the socket inodes this process owns) and {@code /proc/net/tcp[6]}
 * (which inode connects where). Linux only; -1 elsewhere.
 */
public final class ProcessSockets {

	private ProcessSockets() {
	}

	/** The server port of a backend endpoint ({@code http://h:p}, {@code redis://h:p}, {@code h:p}). */
	public static int port(String backend, String endpoint) {
		String first = endpoint.split(",")[0].trim();
		if (first.contains("://")) {
			return URI.create(first).getPort();
		}
		return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
	}

	/** The number of established connections from this process to {@code port}, or -1 if unknown. */
	public static int established(int port) {
		if (port < 0) {
			return -1;
		}
		try {
			Set<String> inodes = new HashSet<>();
			try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
				for (Path fd : fds) {
					try {
						String target = Files.readSymbolicLink(fd).toString();
						if (target.startsWith("socket:[")) {
							inodes.add(target.substring(8, target.length() - 1));
						}
					}
					catch (IOException ex) {
						// The descriptor was closed while listing: it is not a connection any more.
					}
				}
			}
			int count = 0;
			for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
				Path path = Path.of(table);
				if (!Files.exists(path)) {
					continue;
				}
				List<String> lines = Files.readAllLines(path);
				for (String line : lines.subList(1, lines.size())) {
					String[] fields = line.trim().split("\\s+");
					String remote = fields[2];
					int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
					if (remotePort == port && fields[3].equals("01") && inodes.contains(fields[9])) {
						count++;
					}
				}
			}
			return count;
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux, or /proc is not readable: the count is reported as unknown.
			return -1;
		}
	}

}
