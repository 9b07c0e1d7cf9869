/**
 * Service connections to the backend of a valkeyrie store from Testcontainers containers.
 */
@NullMarked
package io.valkeyrie.boot.testcontainers;

import org.jspecify.annotations.NullMarked;
