/**
 * The backend service provider interface: a {@link io.valkeyrie.store.spi.StoreProvider}
 * per backend, registered in {@code META-INF/services}.
 */
@NullMarked
package io.valkeyrie.store.spi;

import org.jspecify.annotations.NullMarked;
