package io.valkeyrie.store;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;

/**
 * TLS settings of a store connection, as key and trust managers (what Spring Boot SSL
 * bundles and plain {@code KeyStore}s both provide).
 *
 * @param keyManagers the client certificate, or {@code null} for none
 * @param trustManagers the trusted server certificates, or {@code null} for the JVM default
 * @param verifyHostname whether the server's certificate must match its host name
 */
public record TlsConfig(@Nullable KeyManagerFactory keyManagers, @Nullable TrustManagerFactory trustManagers,
		boolean verifyHostname) {

	/** TLS with the JVM's default trust store and host name verification. */
	public static TlsConfig defaults() {
		return new TlsConfig(null, null, true);
	}

	@Override
	public String toString() {
		return "TlsConfig[clientCertificate=" + (this.keyManagers != null) + ", customTrust="
				+ (this.trustManagers != null) + ", verifyHostname=" + this.verifyHostname + "]";
	}

}
