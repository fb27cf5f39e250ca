import {
  to = rancher_registry.internal
  id = "1a5/1sp3"
}
