package io.valkeyrie.store.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

/**
 * One TLS handshake with a server, made after a store could not connect to say whether TLS
 * was the reason: the untrusted certificate, the host name mismatch or the refused client
 * certificate in the JDK's own words. Some clients only log a failed handshake and try again
 * (ZooKeeper), or lose the server's refusal when it closes the connection under a request they
 * are writing (HTTP clients with TLS 1.3), so their own failure does not say it.
 */
public final class TlsProbe {

	private TlsProbe() {
	}

	/**
	 * Shake hands with {@code host:port} and wait for the server's first word.
	 * @param context the TLS settings of the client that failed
	 * @param host the host name to connect to, and to check the certificate against
	 * @param identify whether to check the certificate's names here (the context's trust
	 * managers may check them themselves)
	 * @param timeout bounds the connection, the handshake and the wait for a refusal
	 * @return the handshake's failure, or {@code null} if the server accepted it (or could not
	 * be reached at all: a network failure, which the client reports itself)
	 */
	public static @Nullable SSLException failure(SSLContext context, String host, int port, boolean identify,
			Duration timeout) {
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
		try (Socket plain = new Socket()) {
			plain.connect(new InetSocketAddress(host, port), millis);
			try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
				if (identify) {
					SSLParameters parameters = socket.getSSLParameters();
					parameters.setEndpointIdentificationAlgorithm("HTTPS");
					socket.setSSLParameters(parameters);
				}
				socket.setSoTimeout(millis);
				socket.startHandshake();
				// With TLS 1.3 the server judges the client's certificate after the client's side
				// of the handshake is done: its refusal is the first thing to read. The servers
				// here send nothing before the client's request, so an accepted handshake ends
				// in the read timeout.
				socket.getInputStream().read();
				return null;
			}
		}
		catch (SSLException ex) {
			return ex;
		}
		catch (IOException ex) {
			// Not TLS: the network's failure (refused, timed out), which the client reports.
			return null;
		}
	}

}
