# One ctest test per vector (vector/FILE/ID), and one for its negative controls (negctl/FILE/ID)
# (Group OSCORE files: one of each per file):
# every expected field, the key and the nonce corrupted in turn must make the vector fail.
# Rerun one: ctest --test-dir build -R 'vector/rfc8613/C.4$'
function(oscar_add_vector_tests oscar_target)
    file(GLOB vector_files ${PROJECT_SOURCE_DIR}/vectors/*.json)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${vector_files})
    foreach(f ${vector_files})
        get_filename_component(stem ${f} NAME_WE)
        file(READ ${f} content)
        string(JSON n ERROR_VARIABLE json_error LENGTH "${content}" vectors)
        if(json_error)
            # a Group OSCORE vector file (examples, contexts or groups): one test for the file
            add_test(NAME vector/${stem} COMMAND ${oscar_target} vectors --verbose ${f})
            add_test(NAME negctl/${stem}
                     COMMAND ${oscar_target} vectors --negative-controls ${f})
            continue()
        endif()
        math(EXPR last "${n} - 1")
        foreach(i RANGE ${last})
            string(JSON id GET "${content}" vectors ${i} id)
            add_test(NAME vector/${stem}/${id}
                     COMMAND ${oscar_target} vectors --verbose --only ${id} ${f})
            add_test(NAME negctl/${stem}/${id}
                     COMMAND ${oscar_target} vectors --negative-controls --only ${id} ${f})
        endforeach()
    endforeach()
endfunction()
