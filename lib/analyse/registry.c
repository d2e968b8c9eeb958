/* The analysers a scan runs over every node, in this order. */
#include "analyse/analyser.h"

extern const fwvet_analyser fwvet_analyser_accounts;
extern const fwvet_analyser fwvet_analyser_services;
extern const fwvet_analyser fwvet_analyser_backdoors;
extern const fwvet_analyser fwvet_analyser_credentials;
extern const fwvet_analyser fwvet_analyser_keys;
extern const fwvet_analyser fwvet_analyser_sshkeys;
extern const fwvet_analyser fwvet_analyser_secrets;
extern const fwvet_analyser fwvet_analyser_elf_hardening;
extern const fwvet_analyser fwvet_analyser_engineering;
extern const fwvet_analyser fwvet_analyser_yara;
extern const fwvet_analyser fwvet_analyser_components;

const fwvet_analyser *const fwvet_analysers[] = {
    &fwvet_analyser_accounts,
    &fwvet_analyser_services,
    &fwvet_analyser_backdoors,
    &fwvet_analyser_credentials,
    &fwvet_analyser_keys,
    &fwvet_analyser_sshkeys,
    &fwvet_analyser_secrets,
    &fwvet_analyser_elf_hardening,
    &fwvet_analyser_engineering,
    &fwvet_analyser_yara,
    &fwvet_analyser_components,
    NULL,
};
