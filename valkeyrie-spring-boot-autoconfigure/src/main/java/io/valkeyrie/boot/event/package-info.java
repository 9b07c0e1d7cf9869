/**
 * Store watches published as Spring {@code ApplicationEvent}s.
 */
@NullMarked
package io.valkeyrie.boot.event;

import org.jspecify.annotations.NullMarked;
