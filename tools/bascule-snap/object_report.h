// SPDX-License-Identifier: MIT
// The objects an image holds (snapshot/object_kinds.h), every kind alike, as inspect and
// diff report them: each field by its schema name.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "image_schema.h"

namespace bsc::snap {

// Every object of the image by kind: {"handle": [{field: value, ...}, ...], "event": ...}.
// Enums by name, fields shown in hex as "0x..", bytes by their count and xxh3.
nlohmann::ordered_json objects_json(const snapshot::ImageMetadata &metadata);

// How `b` differs from `a`, object by object (matched by kind and handle number): for
// each kind, the objects added, removed, and changed with the fields that changed
// ({"change": "changed", "fields": {name: {"from": old, "to": new}}}).
nlohmann::ordered_json object_differences(const snapshot::ImageMetadata &a,
                                          const snapshot::ImageMetadata &b);

// A default-constructed object of each kind, as objects_json shows it: {"handle": {...}, ...}.
nlohmann::ordered_json default_objects_json();

// One object's fields as text, "name=value ...", leaving out those that have their
// default value (`defaults`: its kind's entry of default_objects_json()).
std::string fields_text(const nlohmann::ordered_json &object,
                        const nlohmann::ordered_json &defaults);

} // namespace bsc::snap
