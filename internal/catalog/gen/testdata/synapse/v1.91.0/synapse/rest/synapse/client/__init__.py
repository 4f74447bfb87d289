def build_synapse_client_resource_tree(hs):
    resources = {
        "/_synapse/client/pick_idp": PickIdpResource(hs),
    }
    if hs.config.mas.enabled:
        resources["/_synapse/mas"] = MasResource(hs)
    return resources
