/**
 * The {@code local} backend: an embedded H2 MVStore database in a file or in memory.
 */
@NullMarked
package io.valkeyrie.store.local;

import org.jspecify.annotations.NullMarked;
