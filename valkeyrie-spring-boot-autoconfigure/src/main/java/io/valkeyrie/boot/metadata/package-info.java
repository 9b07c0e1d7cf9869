/**
 * A Spring Integration metadata store on a valkeyrie {@link io.valkeyrie.store.Store}.
 */
@NullMarked
package io.valkeyrie.boot.metadata;

import org.jspecify.annotations.NullMarked;
