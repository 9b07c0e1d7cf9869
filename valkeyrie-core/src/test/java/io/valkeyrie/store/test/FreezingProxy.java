package io.valkeyrie.store.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a server that can stop passing bytes on while keeping the
 * connections open (a server that hangs without closing anything), or cut every connection
 * and refuse new ones (a server that is down).
 */
public final class FreezingProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final String host;

	private final int port;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final AtomicInteger accepted = new AtomicInteger();

	/** Guards {@link #frozen}; pumps wait on it while frozen. */
	private final Object gate = new Object();

	private boolean frozen;

	private volatile boolean cut;

	/** @param target the server, {@code host:port} */
	public FreezingProxy(String target) throws IOException {
		this.host = target.substring(0, target.lastIndexOf(':'));
		this.port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		start(this::accept);
	}

	/** The proxy's {@code host:port}. */
	public String endpoint() {
		return "127.0.0.1:" + this.listener.getLocalPort();
	}

	/** How many connections clients have opened through the proxy so far. */
	public int accepted() {
		return this.accepted.get();
	}

	/** Stop passing bytes on (connections stay open). */
	public void freeze() {
		synchronized (this.gate) {
			this.frozen = true;
		}
	}

	/** Pass bytes on again. */
	public void thaw() {
		synchronized (this.gate) {
			this.frozen = false;
			this.gate.notifyAll();
		}
	}

	/** Close every connection and refuse new ones, as a stopped server does. */
	public void cut() {
		this.cut = true;
		this.sockets.forEach(FreezingProxy::closeQuietly);
		this.sockets.clear();
	}

	/** Accept connections again after {@link #cut()}. */
	public void restore() {
		this.cut = false;
	}

	private void awaitThawed() throws InterruptedException {
		synchronized (this.gate) {
			while (this.frozen) {
				this.gate.wait();
			}
		}
	}

	private void accept() {
		try {
			while (!this.listener.isClosed()) {
				Socket client = this.listener.accept();
				this.accepted.incrementAndGet();
				if (this.cut) {
					closeQuietly(client);
					continue;
				}
				Socket server = new Socket(this.host, this.port);
				this.sockets.add(client);
				this.sockets.add(server);
				start(() -> pump(client, server));
				start(() -> pump(server, client));
			}
		}
		catch (IOException ex) {
			// Closed.
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[8192];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				awaitThawed();
				out.write(buffer, 0, read);
			}
		}
		catch (IOException | InterruptedException ex) {
			// One side closed: the other follows when its pump ends.
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private static void start(Runnable task) {
		Thread thread = new Thread(task, "freezing-proxy");
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

	@Override
	public void close() throws IOException {
		thaw();
		this.listener.close();
		this.sockets.forEach(FreezingProxy::closeQuietly);
	}

}
