package io.valkeyrie.store.test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.valkeyrie.store.TlsConfig;

/**
 * A throw-away certificate authority made with {@code openssl} in a test's folder: a server
 * certificate for {@code 127.0.0.1} only (so {@code localhost} is a host name mismatch), one
 * for {@code elsewhere.invalid} only, a client certificate, and a second, untrusted authority. PEM files for the servers, PKCS12
 * key stores (password {@link #STORE_PASSWORD}) for clients that read files. Nothing of it is
 * kept after the test.
 */
public final class TestPki {

	/** The password of the generated PKCS12 key and trust stores. */
	public static final String STORE_PASSWORD = "store-pw-9f1c2e";

	private final Path dir;

	private TestPki(Path dir) {
		this.dir = dir;
	}

	/** Generate everything in {@code dir}. */
	public static TestPki create(Path dir) {
		TestPki pki = new TestPki(dir);
		pki.authority("ca");
		pki.authority("rogue-ca");
		pki.certificate("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth");
		// The ZooKeeper client checks the name its reverse lookup gives (localhost), not the address.
		pki.certificate("server-localhost", "ca",
				"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth");
		// A certificate that names neither the address nor its host name: a host name mismatch on every client.
		pki.certificate("server-elsewhere", "ca", "subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth");
		pki.certificate("client", "ca", "extendedKeyUsage=clientAuth");
		pki.certificate("rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth");
		for (String name : List.of("server", "server-localhost", "server-elsewhere", "client", "rogue-client")) {
			pki.openssl("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
					"-passout", "pass:" + STORE_PASSWORD);
		}
		return pki;
	}

	/** A file of the PKI ({@code ca.crt}, {@code server.key}, {@code client.p12}, ...). */
	public String file(String name) {
		return this.dir.resolve(name).toString();
	}

	/** TLS that trusts the CA, without a client certificate. */
	public TlsConfig serverOnly() {
		return new TlsConfig(null, trust("ca.crt"), true);
	}

	/** TLS with the client certificate, trusting the CA. */
	public TlsConfig mutual() {
		return new TlsConfig(keys("client.p12"), trust("ca.crt"), true);
	}

	/** TLS that trusts only the other authority: the server's certificate is untrusted. */
	public TlsConfig untrusted() {
		return new TlsConfig(keys("client.p12"), trust("rogue-ca.crt"), true);
	}

	/** TLS with a client certificate the server's authority did not sign. */
	public TlsConfig rogueClient() {
		return new TlsConfig(keys("rogue-client.p12"), trust("ca.crt"), true);
	}

	private KeyManagerFactory keys(String store) {
		try (InputStream in = Files.newInputStream(this.dir.resolve(store))) {
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(in, STORE_PASSWORD.toCharArray());
			KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			factory.init(keys, STORE_PASSWORD.toCharArray());
			return factory;
		}
		catch (Exception ex) {
			throw new AssertionError("Cannot read " + store, ex);
		}
	}

	private TrustManagerFactory trust(String certificate) {
		try (InputStream in = Files.newInputStream(this.dir.resolve(certificate))) {
			KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
			trust.load(null, null);
			trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(trust);
			return factory;
		}
		catch (Exception ex) {
			throw new AssertionError("Cannot read " + certificate, ex);
		}
	}

	private void authority(String name) {
		openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=valkeyrie-test-" + name,
				"-keyout", name + ".key", "-out", name + ".crt");
	}

	private void certificate(String name, String ca, String extensions) {
		openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out",
				name + ".csr");
		try {
			Files.writeString(this.dir.resolve(name + ".ext"), extensions + "\n");
		}
		catch (java.io.IOException ex) {
			throw new AssertionError(ex);
		}
		openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
				"-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
	}

	private void openssl(String... arguments) {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).directory(this.dir.toFile()).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new AssertionError("openssl " + command + " failed:\n" + output);
			}
		}
		catch (java.io.IOException ex) {
			throw new AssertionError("openssl is needed to make the test certificates", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
