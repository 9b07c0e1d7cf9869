package io.valkeyrie.store.spi;

import org.jspecify.annotations.Nullable;

/**
 * A provider whose backend needs some classes on the classpath; reports the Maven
 * dependency to add when one is missing.
 */
public abstract class AbstractStoreProvider implements StoreProvider {

	private final String name;

	private final String dependency;

	private final String[] requiredClasses;

	/**
	 * @param name the backend name
	 * @param dependency the Maven coordinates that bring the required classes
	 * @param requiredClasses classes that must be loadable
	 */
	protected AbstractStoreProvider(String name, String dependency, String... requiredClasses) {
		this.name = name;
		this.dependency = dependency;
		this.requiredClasses = requiredClasses;
	}

	@Override
	public final String name() {
		return this.name;
	}

	@Override
	public final @Nullable String missingDependency() {
		ClassLoader loader = getClass().getClassLoader();
		for (String className : this.requiredClasses) {
			try {
				Class.forName(className, false, loader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				return this.dependency;
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.name + "]";
	}

}
